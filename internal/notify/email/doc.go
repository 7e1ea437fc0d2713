// Package email delivers notifications by email. Rendering (Renderer) is a pure function from a
// notification to a Message with a text and an HTML part and the headers people filter on;
// sending (Sender) keeps one SMTP connection open and reuses it, reconnecting when it drops, and
// classifies failures: SMTP 5xx replies and unusable addresses are permanent, everything else
// (4xx replies, refused connections, timeouts) is temporary.
package email
