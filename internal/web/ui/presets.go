package ui

import (
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// preset is a starting point for a new filter: the new FMN's tracking rules as conditions.
type preset struct {
	Key, Name, Description string
	Conditions             []rules.Condition
}

// notMe is the one-click "not my own actions" condition.
func notMe() rules.Condition {
	return rules.Condition{Field: rules.FieldAgent, Op: rules.OpIn, Values: []string{rules.Me}, Negate: true}
}

// excludeApps is the one-click "exclude these apps" condition, starting with the noisy ones.
func excludeApps() rules.Condition {
	return rules.Condition{Field: rules.FieldApp, Op: rules.OpIn, Values: prefs.DefaultNoisyApps(), Negate: true}
}

// presets are the filters people start from, in the order the page lists them.
func presets() []preset {
	return []preset{
		{Key: "mine", Name: "Artifacts I own", Description: "builds, updates and reviews of packages you maintain, except your own actions and noisy bots",
			Conditions: []rules.Condition{{Field: rules.FieldOwned, Op: rules.OpIn, Values: []string{rules.Me}}, notMe(), excludeApps()}},
		{Key: "groups", Name: "Artifacts my groups own", Description: "the same for every package a group you belong to maintains",
			Conditions: []rules.Condition{{Field: rules.FieldOwned, Op: rules.OpIn, Values: []string{rules.MyGroups}}, notMe(), excludeApps()}},
		{Key: "follow", Name: "Artifacts I follow", Description: "everything about the packages you name",
			Conditions: []rules.Condition{{Field: rules.FieldArtifact, Op: rules.OpIn}, notMe()}},
		{Key: "about-me", Name: "Events about me", Description: "anything that names you, except your own actions",
			Conditions: []rules.Condition{{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{rules.Me}}, notMe()}},
		{Key: "users", Name: "Users I follow", Description: "what the people you name do",
			Conditions: []rules.Condition{{Field: rules.FieldAgent, Op: rules.OpIn}}},
		{Key: "blank", Name: "Start from scratch", Description: "one empty condition",
			Conditions: []rules.Condition{{Field: rules.FieldTopic, Op: rules.OpGlob}}},
	}
}

// presetByKey returns the preset with key, or false.
func presetByKey(key string) (preset, bool) {
	for _, p := range presets() {
		if p.Key == key {
			return p, true
		}
	}
	return preset{}, false
}
