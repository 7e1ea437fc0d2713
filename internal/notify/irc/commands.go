package irc

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lrstanley/girc"

	"fmn/pkg/prefs"
)

// Commands is what the bot commands change: the destinations of kind irc whose address is nick.
// pgstore.Store implements it.
type Commands interface {
	// SetIRCEnabled enables or disables every IRC destination whose address is nick and returns
	// how many changed.
	SetIRCEnabled(ctx context.Context, nick string, enabled bool) (int, error)
	// ConfirmIRCByCode confirms the unconfirmed IRC destination whose address is nick and whose
	// pending confirmation code is code, and returns its user. Its expected refusals are
	// prefs confirmation errors (prefs.IsConfirmationError), whose text is shown to the nick.
	ConfirmIRCByCode(ctx context.Context, nick, code string) (prefs.User, error)
}

// Replies to the bot commands.
const (
	replyHelp = `fmn notifications bot. Commands: "stop" pauses notifications to your nick, "start" resumes them, ` +
		`"confirm <code>" confirms your nick as a destination, "help" shows this.`
	replyUnknown      = `Unknown command. Send "help" for the list.`
	replyUnavailable  = "Sorry, that command is not available right now; please try again later."
	replyConfirmUsage = `Usage: "confirm CODE", with the code I sent you when you added this nick in the web app.`
)

// command answers a private message to the bot with one NOTICE (never a PRIVMSG: bots must not
// answer each other forever). Replies are paced like notifications.
func (s *sessionState) command(ctx context.Context, e girc.Event) {
	if e.Source == nil || len(e.Params) < 2 || !strings.EqualFold(e.Params[0], s.client.GetNick()) ||
		strings.EqualFold(e.Source.Name, s.client.GetNick()) || e.IsAction() {
		return // a channel message, our own echo, or a CTCP ACTION
	}
	nick := e.Source.Name
	if !prefs.ValidIRCNick(nick) {
		return
	}
	fields := strings.Fields(Clean(e.Last()))
	var reply string
	switch {
	case len(fields) == 0:
		return
	case strings.EqualFold(fields[0], "help"):
		reply = replyHelp
	case strings.EqualFold(fields[0], "stop"), strings.EqualFold(fields[0], "start"):
		enable := strings.EqualFold(fields[0], "start")
		reply = s.setEnabled(ctx, nick, enable)
	case strings.EqualFold(fields[0], "confirm"):
		reply = s.confirm(ctx, nick, fields[1:])
	default:
		reply = replyUnknown
	}
	if err := s.pace(ctx, ctx); err != nil {
		return
	}
	s.client.Cmd.Notice(nick, truncate(reply, TextBudget(s.client.GetNick(), nick)))
}

func (s *sessionState) setEnabled(ctx context.Context, nick string, enable bool) string {
	verb := "stopped"
	hint := `Send "start" to resume them.`
	if enable {
		verb, hint = "resumed", `Send "stop" to pause them.`
	}
	if s.b.cmds == nil {
		return replyUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := s.b.cmds.SetIRCEnabled(ctx, nick, enable)
	if err != nil {
		s.b.logger.WarnContext(ctx, "irc bot command failed", "enable", enable, "error", err)
		return replyUnavailable
	}
	if n == 0 {
		return fmt.Sprintf("Nothing to change: no notifications are %s for this nick.", map[bool]string{true: "paused", false: "active"}[enable])
	}
	s.b.logger.InfoContext(ctx, "irc destinations changed by bot command", "enable", enable, "destinations", n)
	return fmt.Sprintf("Notifications to this nick are %s. %s", verb, hint)
}

// confirm answers "confirm CODE": the code is never echoed, and a refusal is one of the prefs
// confirmation errors, whose text is fixed.
func (s *sessionState) confirm(ctx context.Context, nick string, args []string) string {
	if len(args) == 0 {
		return replyConfirmUsage
	}
	if s.b.cmds == nil {
		return replyUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u, err := s.b.cmds.ConfirmIRCByCode(ctx, nick, strings.Join(args, ""))
	switch {
	case prefs.IsConfirmationError(err):
		return "Not confirmed: " + err.Error() + "."
	case err != nil:
		s.b.logger.WarnContext(ctx, "irc bot confirm failed", "error", err)
		return replyUnavailable
	}
	s.b.logger.InfoContext(ctx, "irc destination confirmed by bot command", "user", u.Name)
	return fmt.Sprintf(`Confirmed: notifications of the account %q now come to this nick. Send "stop" to pause them.`, Clean(u.Name))
}
