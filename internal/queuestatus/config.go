package queuestatus

import (
	"errors"
	"net/url"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/config"
)

const (
	// DefaultPoll is how often the broker is sampled: as often as the management plugin refreshes
	// its statistics (collect_statistics_interval, 5 s by default), so no poll reads stale figures
	// twice, yet a status page shows a backlog within seconds.
	DefaultPoll = 5 * time.Second
	// minPoll bounds FMN_STATUS_POLL from below so a typo cannot hammer the broker.
	minPoll = time.Second
)

// Config is what a Sampler needs from the user.
type Config struct {
	// APIURL is the base URL of RabbitMQ's management HTTP API with its credentials, e.g.
	// http://guest:guest@127.0.0.1:15672 (FMN_RABBITMQ_API_URL or FMN_RABBITMQ_API_URL_FILE,
	// default empty). Empty means the broker is sampled over AMQP only: no unacked counts, no
	// publish/deliver/ack rates, no per-worker prefs queues. The password never prints.
	APIURL config.URL
	// Vhost is the virtual host whose queues are listed through the API; ReadConfig takes it from
	// the AMQP URL ("/" when the URL names none).
	Vhost string
	// Poll is the time between two samples (FMN_STATUS_POLL, default DefaultPoll, at least 1s).
	Poll time.Duration
}

// ReadConfig reads FMN_RABBITMQ_API_URL and FMN_STATUS_POLL, and the vhost from the AMQP section.
func ReadConfig(r *config.Reader, a config.AMQP) Config {
	c := Config{
		APIURL: config.URL(r.Secret("FMN_RABBITMQ_API_URL", "").Value()),
		Vhost:  "/",
		Poll:   r.Duration("FMN_STATUS_POLL", DefaultPoll),
	}
	if u, err := amqp.ParseURI(string(a.URL)); err == nil && u.Vhost != "" {
		c.Vhost = u.Vhost
	}
	if c.Poll < minPoll {
		r.Fail("FMN_STATUS_POLL", "must be at least %s", minPoll)
	}
	if c.APIURL != "" {
		if _, err := parseAPIURL(c.APIURL); err != nil {
			r.Fail("FMN_RABBITMQ_API_URL", "%v", err)
		}
	}
	return c
}

// apiEndpoint is the management API's base URL without credentials, and the credentials.
type apiEndpoint struct {
	base       *url.URL // scheme, host and path prefix; no user info, query or fragment
	user, pass string
}

// parseAPIURL splits u into the base URL and its credentials. Its errors never quote u.
func parseAPIURL(u config.URL) (apiEndpoint, error) {
	p, err := url.Parse(string(u))
	if err != nil {
		return apiEndpoint{}, errors.New("is not a valid URL") // url.Error would quote the password
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return apiEndpoint{}, errors.New("must be an http or https URL")
	}
	if p.Host == "" {
		return apiEndpoint{}, errors.New("has no host")
	}
	e := apiEndpoint{base: &url.URL{Scheme: p.Scheme, Host: p.Host, Path: strings.TrimSuffix(p.Path, "/")}}
	if p.User != nil {
		e.user = p.User.Username()
		e.pass, _ = p.User.Password()
	}
	return e, nil
}
