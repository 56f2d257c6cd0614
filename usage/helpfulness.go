package usage

import (
	"cmp"
	"slices"

	"github.com/vrrec/vrrec"
)

// MaxFlagged bounds the apps listed as most often not helpful, and
// MaxQuestions the questions listed with each.
const (
	MaxFlagged   = 10
	MaxQuestions = 5
)

// Helpfulness summarises votes: per app and per topic of the question
// answered (its interaction's Topic, else its question), the apps most
// often marked not helpful with the questions that produced them, and the
// questions whose answers were not what the student asked, and the votes
// on personalised answers against plain ones (Answers left for the caller
// to count). interactions
// holds the voted interactions by id (a vote on one not found counts for
// its app but has no topic); name gives an app's name ("" when unknown).
func Helpfulness(votes []vrrec.Feedback, interactions map[string]vrrec.Interaction, name func(appID string) string) vrrec.FeedbackReport {
	rep := vrrec.FeedbackReport{Votes: len(votes), Apps: []vrrec.Helpfulness{}, Topics: []vrrec.Helpfulness{},
		Flagged: []vrrec.Unhelpful{}, NotWhatIAsked: []string{}}
	apps := map[string]*vrrec.Helpfulness{}
	topics := map[string]*vrrec.Helpfulness{}
	questions := map[string][]string{} // app -> questions it was not helpful for
	count := func(m map[string]*vrrec.Helpfulness, key, vote string) {
		h := m[key]
		if h == nil {
			h = &vrrec.Helpfulness{Key: key}
			m[key] = h
		}
		switch vote {
		case vrrec.VoteHelpful:
			h.Helpful++
		case vrrec.VoteNotHelpful:
			h.NotHelpful++
		case vrrec.VoteNotWhatIAsked:
			h.NotWhatIAsked++
		}
	}
	personal := map[string]*vrrec.Helpfulness{}
	for _, v := range slices.Backward(votes) { // newest first, for the question lists
		it, known := interactions[v.InteractionID]
		if v.AppID != "" {
			count(apps, v.AppID, v.Vote)
		}
		if !known {
			continue
		}
		for _, by := range it.AdjustedBy {
			count(personal, by, v.Vote)
		}
		if len(it.AdjustedBy) == 0 && it.Intent == "recommendation" {
			count(personal, vrrec.NotAdjusted, v.Vote)
		}
		if t := subject(it); t != "" {
			count(topics, t, v.Vote)
		}
		switch {
		case v.Vote == vrrec.VoteNotWhatIAsked && !slices.Contains(rep.NotWhatIAsked, it.Query):
			rep.NotWhatIAsked = append(rep.NotWhatIAsked, it.Query)
		case v.Vote == vrrec.VoteNotHelpful && !slices.Contains(questions[v.AppID], it.Query):
			questions[v.AppID] = append(questions[v.AppID], it.Query)
		}
	}
	for _, h := range apps {
		h.Name = name(h.Key)
		rep.Apps = append(rep.Apps, *h)
		if h.NotHelpful > 0 {
			q := questions[h.Key]
			rep.Flagged = append(rep.Flagged, vrrec.Unhelpful{AppID: h.Key, Name: h.Name, NotHelpful: h.NotHelpful,
				Questions: append([]string{}, q[:min(len(q), MaxQuestions)]...)})
		}
	}
	for _, h := range topics {
		rep.Topics = append(rep.Topics, *h)
	}
	byVotes := func(a, b vrrec.Helpfulness) int {
		if c := cmp.Compare(b.Helpful+b.NotHelpful+b.NotWhatIAsked, a.Helpful+a.NotHelpful+a.NotWhatIAsked); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	}
	slices.SortFunc(rep.Apps, byVotes)
	slices.SortFunc(rep.Topics, byVotes)
	slices.SortFunc(rep.Flagged, func(a, b vrrec.Unhelpful) int {
		if c := cmp.Compare(b.NotHelpful, a.NotHelpful); c != 0 {
			return c
		}
		return cmp.Compare(a.AppID, b.AppID)
	})
	rep.Flagged = rep.Flagged[:min(len(rep.Flagged), MaxFlagged)]
	rep.NotWhatIAsked = rep.NotWhatIAsked[:min(len(rep.NotWhatIAsked), MaxFlagged)]
	for _, by := range append(slices.Clone(vrrec.Adjustments), vrrec.NotAdjusted) {
		h := vrrec.Helpfulness{Key: by}
		if p := personal[by]; p != nil {
			h = *p
		}
		rep.Personalisation = append(rep.Personalisation, vrrec.Personalisation{Helpfulness: h})
	}
	return rep
}
