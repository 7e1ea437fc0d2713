// Package grafana holds fmn's Grafana dashboard (fmn.json: import it, pick the Prometheus data
// source that scrapes every fmn process's /metrics). Its test checks that every fmn metric the
// dashboard queries is one that fmn's code registers, so a renamed metric cannot silently empty a
// panel.
package grafana
