package rules

// Limits on what a filter may hold. They bound the work one filter can cost per message and the
// size of a snapshot; the API refuses input beyond them.
const (
	// MaxConditions is the most conditions one filter may have.
	MaxConditions = 32
	// MaxValues is the most values one condition may list (a long list of followed packages).
	MaxValues = 500
	// MaxValueLen is the longest value, in bytes (topics are at most 255 bytes on AMQP).
	MaxValueLen = 255
	// MaxRegexLen is the longest regular expression, in bytes.
	MaxRegexLen = 512
	// MaxPathLen is the longest body path, in bytes.
	MaxPathLen = 256
	// MaxPathDepth is the most segments (keys and indices) a body path may have.
	MaxPathDepth = 32
	// MaxPathIndex is the largest array index a body path may use.
	MaxPathIndex = 1 << 16
	// MaxDestinations is the most destinations one filter may send to.
	MaxDestinations = 64
)
