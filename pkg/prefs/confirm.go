package prefs

import (
	"errors"
	"strings"
	"time"
)

// Confirmation lifetimes and limits (DESIGN.md §6: a destination is confirmed before anything is
// sent to it).
const (
	// EmailConfirmationTTL is how long an email confirmation link works: a day leaves time to
	// read the mail.
	EmailConfirmationTTL = 24 * time.Hour
	// IRCConfirmationTTL is how long an IRC confirmation code works: the user is online when the
	// bot sends it.
	IRCConfirmationTTL = time.Hour
	// MaxConfirmationAttempts is how many wrong codes a pending confirmation takes; after that it
	// refuses every code, the right one included, until a new one is begun. With 8 characters
	// from a 32-letter alphabet (40 bits) guessing is hopeless.
	MaxConfirmationAttempts = 5
	// ConfirmationCodeAlphabet is what IRC codes are made of: capitals and digits without the
	// look-alikes 0/O and 1/I.
	ConfirmationCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	// ConfirmationCodeLen is the length of an IRC code.
	ConfirmationCodeLen = 8
	// ConfirmationResendInterval is how long after one confirmation the next may be begun for the
	// same destination, so that nobody can use fmn to flood somebody else's inbox or nick.
	ConfirmationResendInterval = time.Minute
)

// Confirmation errors. Their messages are written for the user: APIs, pages and the IRC bot may
// show them as they are. Store methods return them unwrapped.
var (
	ErrNothingToConfirm        = errors.New("this destination needs no confirmation")
	ErrAlreadyConfirmed        = errors.New("this destination is already confirmed")
	ErrNoConfirmation          = errors.New("no confirmation is pending for this destination: ask for a new one")
	ErrConfirmationInvalid     = errors.New("this confirmation link is not valid: it was used already or replaced by a newer one")
	ErrConfirmationExpired     = errors.New("this confirmation has expired: ask for a new one")
	ErrConfirmationWrongCode   = errors.New("wrong confirmation code")
	ErrConfirmationTooMany     = errors.New("too many wrong confirmation codes: ask for a new code")
	ErrConfirmationNoneForNick = errors.New("no confirmation is pending for this nick: add it as a destination in the web app, or ask for a new code there")
	ErrConfirmationTooSoon     = errors.New("a confirmation was sent less than a minute ago: please wait a minute before asking for another")
)

// IsConfirmationError reports whether err is one of the confirmation errors above: an expected
// refusal whose message may be shown to the user as it is.
func IsConfirmationError(err error) bool {
	for _, e := range []error{ErrNothingToConfirm, ErrAlreadyConfirmed, ErrNoConfirmation, ErrConfirmationInvalid,
		ErrConfirmationExpired, ErrConfirmationWrongCode, ErrConfirmationTooMany, ErrConfirmationNoneForNick, ErrConfirmationTooSoon} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Confirmation is a pending confirmation as BeginConfirmation returns it: the only time its
// secret or code exists in clear (the store keeps only a hash). Exactly one of Secret and Code is
// set, according to the destination's kind.
type Confirmation struct {
	DestinationID int64  `json:"destination_id"`
	Kind          string `json:"kind"`
	Address       string `json:"address"`
	// Secret is the email link's secret (base64url, 43 characters): the link is
	// <public URL>/confirm/<Secret>.
	Secret string `json:"-"`
	// Code is the IRC code (ConfirmationCodeLen characters of ConfirmationCodeAlphabet) the user
	// sends back to the bot ("confirm CODE") or types on the destinations page.
	Code      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// NormalizeCode makes what a user typed comparable with an issued code: surrounding space,
// inner spaces and dashes go, letters become capitals ("abcd-efgh" is "ABCDEFGH"). Email secrets
// are not codes and are compared as they are.
func NormalizeCode(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s))
}
