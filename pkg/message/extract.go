package message

// Aliases maps an e-mail address or IRC nick to an account name. Lookups must be cheap; the
// consumer passes a map built from confirmed destinations and an alias table.
type Aliases interface {
	// Account returns the account name behind an address or nick, if known.
	Account(addressOrNick string) (string, bool)
}

// MapAliases is an Aliases backed by a plain map.
type MapAliases map[string]string

// Account implements Aliases.
func (a MapAliases) Account(k string) (string, bool) {
	v, ok := a[k]
	return v, ok
}

// Extract fills App, Agent, Usernames, Groups, Artifacts, Summary and URL from the message body
// where the headers did not already say them. It never fails: an unknown topic gets the generic
// fallback.
//
// This first version derives only App from the topic; per-family extractors come with the
// metadata-extraction work.
func Extract(m *Message, _ Aliases) {
	if m.App == "" {
		m.App = AppFromTopic(m.Topic)
	}
	m.Normalize()
}

// AppFromTopic returns the application part of a topic: the segment after the environment for
// org.fedoraproject.{prod,stg,dev}.APP.…, io.pagure.{prod,dev}.pagure.…, and the like; the first
// segment of a bare schema topic otherwise.
func AppFromTopic(topic string) string {
	parts := splitDots(topic)
	if len(parts) == 0 {
		return ""
	}
	for i, p := range parts {
		switch p {
		case "prod", "stg", "stage", "dev":
			if i+1 < len(parts) && i <= 2 {
				return parts[i+1]
			}
		}
	}
	return parts[0]
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
