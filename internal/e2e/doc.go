// Package e2e runs fmn's four processes in one test binary against the real PostgreSQL, RabbitMQ
// and Redis, each test with its own database, broker names and key prefix.
package e2e
