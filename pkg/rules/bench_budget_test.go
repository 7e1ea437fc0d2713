package rules_test

import "fmn/pkg/rules"

// withoutBudget lifts every per-user budget limit of s, for BenchmarkGreedyUser.
func withoutBudget(s *rules.Snapshot) { s.Budget = &rules.Budget{} }
