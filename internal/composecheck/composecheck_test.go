package composecheck_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/composecheck"
)

// composeFile is the repository's compose file.
var composeFile = filepath.Join("..", "..", "docker-compose.yml")

// The repository's docker-compose.yml passes every check.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(composeFile)
	require.NoError(t, err)
	problems, err := composecheck.Check(data)
	require.NoError(t, err)
	require.Empty(t, problems, "docker-compose.yml:\n%s", strings.Join(problems, "\n"))

	// What the checks read is really there: the merges of x-fmn-env are resolved.
	f, err := composecheck.Parse(data)
	require.NoError(t, err)
	for _, name := range []string{"web", "backend"} {
		env := f.Services[name].Environment
		for _, k := range []string{"FMN_SSE_SECRET", "FMN_MUTE_SECRET", "FMN_DATABASE_URL", "FMN_AMQP_URL"} {
			require.NotNil(t, env[k], "%s: %s", name, k)
		}
		require.Len(t, f.Services[name].Ports, 1, name)
	}
	require.Contains(t, f.Services["web"].Environment, "FMN_WEB_ADMIN_TOKEN")
	require.Nil(t, f.Services["web"].Environment["FMN_WEB_ADMIN_TOKEN"], "optional, and unset by default")
}

// The file as it was before the secrets were taken out fails, for each of its faults.
func TestCheckRefusesTheOldComposeFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "docker-compose.before.yml"))
	require.NoError(t, err)
	problems, err := composecheck.Check(data)
	require.NoError(t, err)
	all := strings.Join(problems, "\n")
	t.Logf("the old file's problems:\n%s", all)
	for _, want := range []string{
		"web: FMN_SSE_SECRET: ${FMN_SSE_SECRET} has a default",
		"backend: FMN_MUTE_SECRET: ${FMN_MUTE_SECRET} has a default",
		"web: FMN_WEB_ADMIN_TOKEN: ${FMN_WEB_ADMIN_TOKEN} has a default",
		"web: FMN_DATABASE_URL has a literal password",
		"web: FMN_AMQP_URL uses RabbitMQ's guest user",
		"web: FMN_RABBITMQ_API_URL has a literal password",
		"postgres: POSTGRES_PASSWORD is a literal secret",
		`web: port "8080:8080": bind it to an address variable defaulting to 127.0.0.1`,
		`backend: port "8082:8082"`,
		"rabbitmq: publishes ports",
		"rabbitmq: RABBITMQ_DEFAULT_USER is not set",
		`mailpit: a development tool outside the "dev" profile`,
		`ircd: a development tool outside the "dev" profile`,
	} {
		require.Contains(t, all, want)
	}
}

// Each check on a small file of its own.
func TestCheck(t *testing.T) {
	t.Parallel()
	const devTools = `
  mailpit: {image: axllent/mailpit, profiles: [dev]}
  ircd: {image: ghcr.io/ergochat/ergo, profiles: [dev]}
  rabbitmq: {image: rabbitmq, environment: {RABBITMQ_DEFAULT_USER: fmn, RABBITMQ_DEFAULT_PASS: "${RABBITMQ_DEFAULT_PASS:?set it}"}}
`
	for _, tt := range []struct {
		name     string
		services string
		want     []string // each in one problem; none: no problem
	}{
		{
			// Required secrets, optional ones without a value, a URL with a required password.
			name: "good",
			services: `
  web:
    ports: ["${FMN_BIND_ADDR:-127.0.0.1}:8080:8080", {target: 8081, published: 8081, host_ip: "${FMN_BIND_ADDR:-127.0.0.1}"}]
    environment:
      FMN_SSE_SECRET: ${FMN_SSE_SECRET:?set it}
      FMN_WEB_ADMIN_TOKEN:
      FMN_STREAM_TOKEN_TTL: ${FMN_STREAM_TOKEN_TTL:-1h}
      FMN_SSE_SECRET_FILE: /run/secrets/sse
      FMN_AMQP_URL: amqp://${RABBITMQ_DEFAULT_USER:-fmn}:${RABBITMQ_DEFAULT_PASS:?set it}@rabbitmq:5672/
  backend:
    environment: [FMN_MUTE_SECRET, "FMN_SMTP_ADDR=${FMN_SMTP_ADDR:-}"]
`,
		},
		{
			// Secrets with defaults, blank when unset, or literal; in either syntax.
			name: "secrets",
			services: `
  web:
    environment:
      FMN_SSE_SECRET: ${FMN_SSE_SECRET:-change-me}
      FMN_MUTE_SECRET: ${FMN_MUTE_SECRET}
      FMN_OIDC_CLIENT_SECRET: hunter2
      FMN_NOTE: "$${NOT_A_REF} ${FMN_SMTP_PASSWORD-x}"
  backend:
    environment: ["FMN_WEB_ADMIN_TOKEN=${FMN_WEB_ADMIN_TOKEN:-admin}"]
`,
			want: []string{
				"web: FMN_SSE_SECRET: ${FMN_SSE_SECRET} has a default",
				"web: FMN_MUTE_SECRET: ${FMN_MUTE_SECRET} is blank when unset",
				"web: FMN_OIDC_CLIENT_SECRET is a literal secret",
				"web: FMN_NOTE: ${FMN_SMTP_PASSWORD} has a default",
				"backend: FMN_WEB_ADMIN_TOKEN: ${FMN_WEB_ADMIN_TOKEN} has a default",
			},
		},
		{
			// Connection URLs with a literal or optional password.
			name: "urls",
			services: `
  web:
    environment:
      FMN_DATABASE_URL: postgres://fmn:fmn@postgres:5432/fmn
      FMN_RABBITMQ_API_URL: http://${RABBITMQ_DEFAULT_USER:-fmn}:${RABBITMQ_DEFAULT_PASS:-guest}@rabbitmq:15672
      FMN_REDIS_URL: redis://:${FMN_REDIS_HOST:?x}@redis:6379/0
`,
			want: []string{
				"web: FMN_DATABASE_URL has a literal password",
				"web: FMN_RABBITMQ_API_URL: ${RABBITMQ_DEFAULT_PASS} has a default",
				"web: FMN_RABBITMQ_API_URL uses RabbitMQ's guest user",
				"web: FMN_REDIS_URL has a literal password",
			},
		},
		{
			// Ports on every interface, or published by a service that must not.
			name: "ports",
			services: `
  web: {ports: ["8080:8080"]}
  backend: {ports: ["0.0.0.0:8082:8082", {target: 8083, published: 8083}]}
  worker: {ports: ["${FMN_BIND_ADDR:-127.0.0.1}:9102:9102"], network_mode: host}
`,
			want: []string{
				`web: port "8080:8080"`, `backend: port "0.0.0.0:8082:8082"`, `backend: port with host_ip ""`,
				"worker: publishes ports; only web and backend may", "worker: network_mode host",
			},
		},
		{
			// Development tools outside the dev profile, and services that need them.
			name: "dev profile",
			services: `
  oidc: {image: ghcr.io/navikt/mock-oauth2-server}
  catcher: {image: axllent/mailpit}
  backend:
    depends_on: [mailpit]
    environment: {FMN_SMTP_ADDR: "${FMN_SMTP_ADDR:-mailpit:1025}", FMN_IRC_SERVER: "ircd:6667", FMN_OTHER: "notircd:6667"}
`,
			want: []string{
				`oidc: a development tool outside the "dev" profile`,
				"catcher: image axllent/mailpit is a development tool",
				`backend: depends on mailpit, which runs in the "dev" profile only`,
				"backend: FMN_SMTP_ADDR points at mailpit",
				"backend: FMN_IRC_SERVER points at ircd",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			problems, err := composecheck.Check([]byte("services:" + devTools + tt.services))
			require.NoError(t, err)
			require.Len(t, problems, len(tt.want), "%s", strings.Join(problems, "\n"))
			all := strings.Join(problems, "\n")
			for _, want := range tt.want {
				require.Contains(t, all, want)
			}
		})
	}

	// Without RabbitMQ's own user, mailpit or ergo.
	problems, err := composecheck.Check([]byte("services:\n  rabbitmq: {image: rabbitmq}\n"))
	require.NoError(t, err)
	require.Equal(t, []string{
		"ircd: missing (the dev profile's ircd)", "mailpit: missing (the dev profile's mailpit)",
		"rabbitmq: RABBITMQ_DEFAULT_PASS is not set: RabbitMQ would run with its guest user",
		"rabbitmq: RABBITMQ_DEFAULT_USER is not set: RabbitMQ would run with its guest user",
	}, problems)
}

// docker compose config accepts the file with the secrets set, with and without the dev profile,
// and refuses it without them. Where there is no docker compose, the checks above stand in.
func TestDockerComposeConfig(t *testing.T) {
	t.Parallel()
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Log("no docker on PATH: the YAML checks of TestComposeFile stood in for docker compose config")
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, docker, "compose", "version").CombinedOutput(); err != nil {
		t.Logf("docker has no compose command (%v: %s): the YAML checks of TestComposeFile stood in for docker compose config",
			err, strings.TrimSpace(string(out)))
		return
	}
	dir, err := filepath.Abs(filepath.Dir(composeFile))
	require.NoError(t, err)
	compose := func(envFile string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, docker, append([]string{"compose", "--project-directory", dir,
			"-f", filepath.Join(dir, "docker-compose.yml"), "--env-file", envFile}, args...)...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	secrets := filepath.Join(t.TempDir(), "secrets.env")
	require.NoError(t, os.WriteFile(secrets, []byte(strings.Join([]string{
		"FMN_SSE_SECRET=" + random(t, base64.StdEncoding.EncodeToString),
		"FMN_MUTE_SECRET=" + random(t, base64.StdEncoding.EncodeToString),
		"POSTGRES_PASSWORD=" + random(t, hex.EncodeToString),
		"RABBITMQ_DEFAULT_PASS=" + random(t, hex.EncodeToString),
	}, "\n")+"\n"), 0o600))
	out, err := compose(secrets, "config", "--quiet")
	require.NoError(t, err, out)
	out, err = compose(secrets, "--profile", "dev", "config", "--quiet")
	require.NoError(t, err, out)

	empty := filepath.Join(t.TempDir(), "empty.env")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	out, err = compose(empty, "config", "--quiet")
	require.Error(t, err, "docker compose must refuse the file without its secrets")
	require.Contains(t, out, "set it in .env")
}

// cleanEnv is this process's environment without the variables the compose file reads, so that
// only the env file given sets them.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "FMN_") || strings.HasPrefix(k, "POSTGRES_") || strings.HasPrefix(k, "RABBITMQ_") || strings.HasPrefix(k, "COMPOSE_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// random returns 32 random bytes, encoded.
func random(t *testing.T, encode func([]byte) string) string {
	t.Helper()
	b := make([]byte, 32)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return encode(b)
}
