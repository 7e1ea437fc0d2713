package corpus

import (
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

func TestLoadDefaultDecodesEveryRecord(t *testing.T) {
	t.Parallel()
	recs, err := LoadDefault()
	require.NoError(t, err)
	require.Greater(t, len(recs), 500)
	for _, r := range recs {
		m, err := message.DecodeAMQP(r.AMQP(), 0)
		require.NoError(t, err, "record %s (%s)", r.ID, r.Topic)
		require.Equal(t, r.Topic, m.Topic)
		require.Equal(t, r.ID, m.ID)
	}
}
