package email_test

import (
	"fmt"
	"testing"
	"time"

	"fmn/internal/notify/email"
	"fmn/internal/testkit/mailtest"
)

// BenchmarkSendToMailpit is email throughput into a real SMTP server (mailpit on loopback): render
// a verbose notification and send it on the reused connection.
func BenchmarkSendToMailpit(b *testing.B) {
	mp := mailtest.Start(b)
	s, err := email.NewSender(email.SenderConfig{Addr: mp.SMTPAddr, TLS: email.TLSNone, From: from, Timeout: 10 * time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := testRenderer(b)
	n := testNotification("verbose")
	i := 0
	start := time.Now()
	for b.Loop() {
		i++
		n.ID = fmt.Sprintf("bench-%d", i)
		m, err := r.Render(n)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Send(b.Context(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "emails/s")
}
