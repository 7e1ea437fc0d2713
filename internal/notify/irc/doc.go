// Package irc delivers notifications as IRC private messages from one bot connection.
//
// One goroutine (Bot.Run) owns the girc client: it connects (optionally over TLS, optionally
// logging in with SASL PLAIN), reconnects with jittered backoff, sends every outgoing line through
// a token-bucket Limiter so the bot is never kicked for flooding, and answers the bot commands
// users send it in private (help, stop, start, confirm). Send reaches that goroutine through a
// bounded channel and waits, with its context, for the server's verdict.
//
// Outcome of a send: after the PRIVMSG the bot sends a PING with a token of its own; the server
// answers commands in order, so an ERR_NOSUCHNICK (401) for the nick before the PONG means the
// nick is not online, and the PONG alone means the server took the message. A nick that is not
// online is a temporary failure (NoSuchNickError): the backend retries it through its delay
// queues, giving the user time to come back, and dead-letters it after the last retry. A
// disconnected bot is temporary too (ErrDisconnected). A nick that cannot be one is permanent.
//
// The files follow those parts: bot.go holds Config, New and the connection state; connection.go
// the owner goroutine (Run's reconnect loop and one connection's session); send.go Send, its
// errors and the wait for the server's verdict; commands.go the bot commands; limiter.go the
// Limiter; render.go the rendering of a notification into one line, a pure function.
package irc
