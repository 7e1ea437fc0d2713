package ui

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"fmn/internal/web/httperr"
	"fmn/internal/web/limit"
	"fmn/internal/web/param"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// filterEdit is what the filter editor shows.
type filterEdit struct {
	Action       string
	Filter       rules.Filter
	Destinations []prefs.Destination
	Selected     map[int64]bool
	Fields       []rules.Field
	Ops          []opChoice
	// BadCondition is the index of the condition validation refused (-1: none or the whole filter).
	BadCondition int
	BadReason    string
	Preview      any
}

type opChoice struct{ Value, Label string }

var opChoices = []opChoice{{"", "default"}, {"in", "is one of"}, {"glob", "matches glob"},
	{"at_least", "at least"}, {"eq", "equals"}, {"regex", "matches regex"}}

var fieldChoices = []rules.Field{rules.FieldTopic, rules.FieldApp, rules.FieldSeverity, rules.FieldUser, rules.FieldAgent,
	rules.FieldArtifact, rules.FieldOwned, rules.FieldGroup, rules.FieldBody}

func (h *Handler) renderFilterEdit(w http.ResponseWriter, r *http.Request, u prefs.User, status int, action string, f rules.Filter, problem error, preview any) error {
	ds, err := h.store.Destinations(r.Context(), u)
	if err != nil {
		return err
	}
	e := filterEdit{Action: action, Filter: f, Destinations: ds, Selected: map[int64]bool{}, Fields: fieldChoices,
		Ops: opChoices, BadCondition: -1, Preview: preview}
	for _, id := range f.Destinations {
		e.Selected[id] = true
	}
	v := view{Title: "New filter", Nav: "filters", Data: e}
	if f.ID != 0 {
		v.Title = "Edit filter"
	}
	var ve *rules.ValidationError
	var inv *prefs.InvalidError
	var qe *prefs.QuotaError
	var le *limit.Error
	switch {
	case errors.As(problem, &ve) && ve.Condition >= 0:
		e.BadCondition, e.BadReason = ve.Condition, ve.Error()
		v.Data, v.Error = e, "The filter was not saved: "+ve.Error()
	case errors.As(problem, &ve), errors.As(problem, &inv), errors.As(problem, &qe):
		v.Error = "The filter was not saved: " + problem.Error() + "."
	case errors.As(problem, &le):
		limit.SetRetryAfter(w, problem)
		v.Error = "No preview: " + problem.Error() + "."
	case problem != nil:
		return problem
	}
	h.render(w, r, status, viewFilterEdit, v)
	return nil
}

// NewFilter opens the editor on a new filter from the preset of the query (blank by default).
func (h *Handler) NewFilter(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	p, ok := presetByKey(r.URL.Query().Get("preset"))
	if !ok {
		p, _ = presetByKey("blank")
	}
	f := rules.Filter{Name: p.Name, Enabled: true, Conditions: p.Conditions}
	// New filters send to the browser stream until the user picks otherwise.
	ds, err := h.store.Destinations(r.Context(), u)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Kind == "sse" {
			f.Destinations = append(f.Destinations, d.ID)
		}
	}
	return h.renderFilterEdit(w, r, u, http.StatusOK, "/filters/new", f, nil, nil)
}

// EditFilter opens the editor on a saved filter.
func (h *Handler) EditFilter(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := h.store.Filter(r.Context(), u, id)
	if err != nil {
		return err
	}
	return h.renderFilterEdit(w, r, u, http.StatusOK, fmt.Sprintf("/filters/%d", id), f, nil, nil)
}

// SaveFilter handles every button of the editor: save, preview, add a condition (blank, "not
// my own actions", "exclude these apps") and remove one. Only save writes anything.
func (h *Handler) SaveFilter(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	var id int64
	action := "/filters/new"
	if r.PathValue("id") != "" {
		var err error
		if id, err = param.PathID(r, "id"); err != nil {
			return err
		}
		action = fmt.Sprintf("/filters/%d", id)
	}
	f, err := filterFromForm(r)
	if err != nil {
		return err
	}
	f.ID, f.User = id, u.Name
	switch act := r.PostFormValue("action"); {
	case act == "add":
		f.Conditions = append(f.Conditions, rules.Condition{Field: rules.FieldTopic})
	case act == "add-not-me":
		f.Conditions = append(f.Conditions, notMe())
	case act == "add-exclude-apps":
		f.Conditions = append(f.Conditions, excludeApps())
	case strings.HasPrefix(act, "remove-"):
		if i, err := strconv.Atoi(strings.TrimPrefix(act, "remove-")); err == nil && i >= 0 && i < len(f.Conditions) {
			f.Conditions = slices.Delete(f.Conditions, i, i+1)
		}
	case act == "preview":
		res, err := h.previews.Run(r.Context(), u.Name, f)
		var ve *rules.ValidationError
		var le *limit.Error
		switch {
		case errors.As(err, &ve):
			return h.renderFilterEdit(w, r, u, http.StatusUnprocessableEntity, action, f, err, nil)
		case errors.As(err, &le):
			return h.renderFilterEdit(w, r, u, http.StatusTooManyRequests, action, f, err, nil)
		}
		if err != nil {
			return err
		}
		return h.renderFilterEdit(w, r, u, http.StatusOK, action, f, nil, res)
	default: // save
		var saved rules.Filter
		if id == 0 {
			saved, err = h.store.CreateFilter(r.Context(), u, f)
		} else {
			saved, err = h.store.UpdateFilter(r.Context(), u, f)
		}
		var ve *rules.ValidationError
		var inv *prefs.InvalidError
		var qe *prefs.QuotaError
		if errors.As(err, &ve) || errors.As(err, &inv) || errors.As(err, &qe) {
			return h.renderFilterEdit(w, r, u, http.StatusUnprocessableEntity, action, f, err, nil)
		}
		if err != nil {
			return err
		}
		h.flash(r, "Saved “"+saved.Name+"”.")
		seeOther(w, r, "/filters")
		return nil
	}
	return h.renderFilterEdit(w, r, u, http.StatusOK, action, f, nil, nil)
}

// maxFormConditions bounds the conditions a form may carry (validation refuses more than
// rules.MaxConditions with a clear message; this only stops absurd counts before parsing).
const maxFormConditions = 4 * rules.MaxConditions

// filterFromForm reads the editor's form. Values are one per line; except for body conditions
// (whose values may contain commas), commas separate values too.
func filterFromForm(r *http.Request) (rules.Filter, error) {
	if err := r.ParseForm(); err != nil {
		return rules.Filter{}, httperr.New(http.StatusBadRequest, "invalid form")
	}
	f := rules.Filter{Name: strings.TrimSpace(r.PostFormValue("name")), Enabled: r.PostFormValue("enabled") == "1",
		OneShot: r.PostFormValue("one_shot") == "1"}
	for _, s := range r.PostForm["dest"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return f, httperr.New(http.StatusBadRequest, "invalid destination")
		}
		f.Destinations = append(f.Destinations, id)
	}
	n := min(param.FormInt(r, "n"), maxFormConditions)
	f.Conditions = []rules.Condition{}
	for i := range n {
		key := func(k string) string { return r.PostFormValue("c" + strconv.Itoa(i) + "." + k) }
		c := rules.Condition{Field: rules.Field(key("field")), Op: rules.Op(key("op")), Negate: key("negate") == "1",
			Path: strings.TrimSpace(key("path")), ArtifactType: strings.TrimSpace(key("type")), Values: []string{}}
		split := func(r rune) bool { return r == '\n' || (c.Field != rules.FieldBody && r == ',') }
		for _, v := range strings.FieldsFunc(key("values"), split) {
			if v = strings.TrimSpace(v); v != "" {
				c.Values = append(c.Values, v)
			}
		}
		f.Conditions = append(f.Conditions, c)
	}
	return f, nil
}
