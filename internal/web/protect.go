package web

import (
	"net/http"
	"net/url"
	"strings"
)

// protect wraps the route table with what every request goes through, outermost first: security
// headers, a body size limit, cross-origin protection for every state-changing request (the
// CSRF defence: browsers say where a request comes from in Sec-Fetch-Site or Origin), and the
// session.
func (s *site) protect(mux http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.logger.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return securityHeaders(s.cfg, http.MaxBytesHandler(cop.Handler(s.auth.LoadAndSave(mux)), MaxBodyBytes))
}

// securityHeaders sets the headers every response carries. The content security policy allows
// scripts, styles and images from this site only (no inline script), and connections to this site
// and the SSE stream's origin (the Live page).
func securityHeaders(cfg Config, next http.Handler) http.Handler {
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' " +
		origin(cfg.StreamURL) + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", csp)
		if strings.HasPrefix(cfg.PublicURL, "https://") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// origin returns the scheme://host of a URL that LoadConfig validated.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
