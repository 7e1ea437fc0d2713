// Package formlogin plays a browser on an OpenID Provider's HTML login form (devoidc's, in
// development and tests): it follows the authorization request's redirects inside the provider,
// fills in the first form's user-name and password inputs, and returns where the provider sends
// the browser back. The tests' oidctest and fmnctl demo-check use it.
package formlogin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// requestTimeout bounds each HTTP request of Login; it is not an expected duration.
const requestTimeout = 10 * time.Second

// Login plays the browser from authURL (an authorization request to the provider at issuerURL)
// through the provider's login form with username and password, and returns the URL devoidc finally redirects to outside
// itself (the relying party's callback, with code and state, or error), without requesting it.
// hc must have a cookie jar; its CheckRedirect is not used. The form's action and field names
// are read from the page.
func Login(ctx context.Context, hc *http.Client, issuerURL, authURL, username, password string) (*url.URL, error) {
	issuer, err := url.Parse(issuerURL)
	if err != nil {
		return nil, err
	}
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != issuer.Host {
			return http.ErrUseLastResponse // leaving the OP: hand that URL to the caller
		}
		if len(via) >= 10 {
			return errors.New("more than 10 redirects inside the OP")
		}
		return nil
	}
	page, out, err := get(ctx, &c, http.MethodGet, authURL, nil)
	if err != nil || out != nil {
		return out, err
	}
	f, err := parseForm(page.body, page.url)
	if err != nil {
		return nil, err
	}
	f.values.Set(f.username, username)
	f.values.Set(f.password, password)
	page, out, err = get(ctx, &c, f.method, f.action, f.values)
	if err != nil || out != nil {
		return out, err
	}
	return nil, fmt.Errorf("the OP answered the login form with a page, not a redirect (wrong credentials?): %.300s", page.body)
}

type page struct {
	url  *url.URL
	body string
}

// get requests u (a form post when form is not nil) and returns either the page the OP answered
// with, or the URL it redirected to outside itself.
func get(ctx context.Context, c *http.Client, method, u string, form url.Values) (*page, *url.URL, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Location()
		if err != nil {
			return nil, nil, fmt.Errorf("redirect from %s: %w", resp.Request.URL, err)
		}
		return nil, loc, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%s %s: %s: %.300s", method, resp.Request.URL, resp.Status, b)
	}
	return &page{url: resp.Request.URL, body: string(b)}, nil, nil
}

// form is a parsed login form.
type form struct {
	method, action     string
	values             url.Values // every named input's initial value (hidden fields included)
	username, password string     // the names of the user-name and password inputs
}

// parseForm reads the first form of an HTML page: its method and action (resolved against
// base), its inputs, the password input, and the user-name input (the first visible text-like
// input before it).
func parseForm(body string, base *url.URL) (*form, error) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse login page: %w", err)
	}
	var f *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && f == nil:
				action, err := base.Parse(attr(n, "action"))
				if err != nil {
					return
				}
				method := strings.ToUpper(attr(n, "method"))
				if method == "" {
					method = http.MethodGet
				}
				f = &form{method: method, action: action.String(), values: url.Values{}}
			case n.Data == "input" && f != nil && attr(n, "name") != "":
				name := attr(n, "name")
				f.values.Set(name, attr(n, "value"))
				switch strings.ToLower(attr(n, "type")) {
				case "password":
					if f.password == "" {
						f.password = name
					}
				case "", "text", "email":
					if f.username == "" && f.password == "" {
						f.username = name
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	if f == nil || f.username == "" || f.password == "" {
		return nil, fmt.Errorf("no login form with a user-name and a password input in: %.300s", body)
	}
	return f, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
