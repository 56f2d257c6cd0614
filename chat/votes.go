package chat

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/rag"
)

// Votes is what the chat reads of a student's votes: the votes, and the
// answers they were cast on, for the need each vote was for (the store:
// vrrec.FeedbackStore and vrrec.InteractionLog).
type Votes interface {
	StudentFeedback(ctx context.Context, userID string) ([]vrrec.Feedback, error)
	Interactions(ctx context.Context, f vrrec.InteractionFilter) ([]vrrec.Interaction, int, error)
}

// SetVotes lets a student's votes change what that student is shown
// (nil: they do not). Call it before the service answers.
func (s *Service) SetVotes(v Votes) { s.votes = v }

// How votes change an answer for the student who cast them.
const (
	// maxVotesRead bounds the votes read per answer: the latest count.
	maxVotesRead = 200
	// helpfulBoost is the most a helpful vote lifts an app: the app found
	// helpful itself; an app like it gets this times how alike they are
	// (lift). A lifted app passes only apps of its own band of confidence
	// (Top Picks, Also Consider) that are lifted less, never an app of a
	// higher band. The match shown does not change.
	helpfulBoost = 0.05
	// likeHelpful is how alike two apps' skills must be (shared over all,
	// Jaccard) for a helpful vote on one to lift the other.
	likeHelpful = 0.25
)

// opinions is what one student's votes say: the apps marked not helpful
// for each need (needKey of the topic the voted answer understood), and
// the apps found helpful, latest first.
type opinions struct {
	notHelpful map[string][]string
	helpful    []vrrec.VRApp
}

// needKey is a need as votes are matched to it: the topic an answer
// understood (Reply.Topic, Interaction.Topic) as a set of words, case,
// order and the words that name no topic (apps, games, VR) set aside.
// Two questions are the same need when they were read as the same topic
// ("I'm learning Python" and "python apps?" are both "python"); a
// different topic is a different need, where an app marked not helpful
// may be shown again.
func needKey(topic string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(topic)) {
		w = strings.Trim(w, ".,;:!?'\"()")
		if w != "" && !generic[w] && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	return strings.Join(words, " ")
}

// generic are the words of a topic that name no topic of their own.
var generic = map[string]bool{"app": true, "apps": true, "game": true, "games": true, "vr": true,
	"experience": true, "experiences": true, "and": true}

// opinions reads the student's votes. A store that does not answer is
// logged and leaves the answer as it would be for anyone.
func (s *Service) opinions(ctx context.Context, eng Engine, userID string) opinions {
	var o opinions
	if s.votes == nil || userID == "" {
		return o
	}
	ctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	defer cancel()
	fb, err := s.votes.StudentFeedback(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "votes unavailable, answering without them", "err", err)
		return o
	}
	fb = fb[max(0, len(fb)-maxVotesRead):]
	var ids []string
	for _, f := range fb {
		if f.Vote == vrrec.VoteNotHelpful && !slices.Contains(ids, f.InteractionID) {
			ids = append(ids, f.InteractionID)
		}
	}
	topics := map[string]string{}
	if len(ids) > 0 {
		its, _, err := s.votes.Interactions(ctx, vrrec.InteractionFilter{UserID: userID, IDs: ids, Limit: len(ids)})
		if err != nil {
			s.log.WarnContext(ctx, "voted answers unavailable, answering without the not-helpful votes", "err", err)
		}
		for _, it := range its {
			topics[it.ID] = needKey(it.Topic)
		}
	}
	for i := len(fb) - 1; i >= 0; i-- {
		f := fb[i]
		switch f.Vote {
		case vrrec.VoteNotHelpful:
			// An answer not yet in the log, or of no topic, names no need.
			if key := topics[f.InteractionID]; key != "" {
				if o.notHelpful == nil {
					o.notHelpful = map[string][]string{}
				}
				o.notHelpful[key] = append(o.notHelpful[key], f.AppID)
			}
		case vrrec.VoteHelpful:
			if a, ok := eng.App(f.AppID); ok && !slices.ContainsFunc(o.helpful, func(h vrrec.VRApp) bool { return h.AppID == a.AppID }) {
				o.helpful = append(o.helpful, a)
			}
		}
	}
	return o
}

// extra is how many more apps to ask retrieval for, so that hiding those
// marked not helpful still leaves a full answer.
func (o opinions) extra() int {
	n := 0
	for _, apps := range o.notHelpful {
		n = max(n, len(apps))
	}
	return min(n, TopK)
}

// apply changes a result for the student: the apps marked not helpful
// for the need of each list are left out, the apps like one found helpful
// move up within their band and say why (ForYou); each list is then cut
// to topK. It reports how many apps were left out and whether the answer
// changed.
func (o opinions) apply(eng Engine, res *vrrec.Result, topK int) (hidden int, changed bool) {
	one := func(apps []vrrec.AppRecommendation, topic string) ([]vrrec.AppRecommendation, int, bool) {
		mark := o.notHelpful[needKey(topic)]
		n := len(apps)
		apps = slices.DeleteFunc(apps, func(a vrrec.AppRecommendation) bool { return slices.Contains(mark, a.AppID) })
		gone := n - len(apps)
		moved := o.lift(eng, apps)
		return apps[:min(topK, len(apps))], gone, gone > 0 || moved
	}
	if len(res.Needs) == 0 {
		var gone int
		res.Apps, gone, changed = one(res.Apps, Topic(res))
		res.NothingFits = res.NothingFits || !slices.ContainsFunc(res.Apps, func(a vrrec.AppRecommendation) bool { return a.LikelinessScore >= rag.FitMin })
		return gone, changed
	}
	for i := range res.Needs {
		n := &res.Needs[i]
		apps, gone, c := one(n.Apps, n.Topic)
		n.Apps, hidden, changed = apps, hidden+gone, changed || c
		n.NothingFits = n.NothingFits || !slices.ContainsFunc(n.Apps, func(a vrrec.AppRecommendation) bool { return a.LikelinessScore >= rag.FitMin })
	}
	return hidden, changed
}

// lift moves each app like one the student found helpful up past the apps
// of its band whose likeliness plus their own lift is under its own plus
// its lift (helpfulBoost times how alike it is: all of it for the app
// itself), and says why on the apps it moved and on those the student
// found helpful. The other apps keep their order. It reports whether an
// app moved.
func (o opinions) lift(eng Engine, apps []vrrec.AppRecommendation) bool {
	if len(o.helpful) == 0 {
		return false
	}
	boost := map[string]float64{}
	why := map[string]string{}
	for _, r := range apps {
		if a, ok := eng.App(r.AppID); ok {
			name, alike := o.likeHelpful(a)
			boost[r.AppID], why[r.AppID] = helpfulBoost*alike, name
		}
	}
	lifted := func(a vrrec.AppRecommendation) float64 { return a.LikelinessScore + boost[a.AppID] }
	moved := false
	for i := range apps {
		a := apps[i]
		if boost[a.AppID] == 0 {
			continue
		}
		if boost[a.AppID] == helpfulBoost {
			apps[i].ForYou = fmt.Sprintf("You found %s helpful", why[a.AppID])
		}
		j := i
		for j > 0 && boost[apps[j-1].AppID] < boost[a.AppID] && band(apps[j-1]) == band(a) && lifted(apps[j-1]) < lifted(a) {
			j--
		}
		if j < i {
			a.ForYou = fmt.Sprintf("You found %s helpful", why[a.AppID])
			copy(apps[j+1:i+1], apps[j:i])
			apps[j] = a
			moved = true
		}
	}
	return moved
}

// likeHelpful names the app the student found helpful that a is, or is
// most like, and how alike they are: 1 for the app itself, else the
// Jaccard of their skills when at least likeHelpful; 0 when none is.
func (o opinions) likeHelpful(a vrrec.VRApp) (string, float64) {
	name, best := "", 0.0
	for _, h := range o.helpful {
		if h.AppID == a.AppID {
			return h.Name, 1
		}
		if j := jaccard(h.SkillsDeveloped, a.SkillsDeveloped); j >= likeHelpful && j > best {
			name, best = h.Name, j
		}
	}
	return name, best
}

// jaccard is how alike two skill lists are: the skills they share over
// all their skills, case set aside.
func jaccard(a, b []string) float64 {
	set := map[string]int{}
	for _, s := range a {
		set[strings.ToLower(s)] |= 1
	}
	for _, s := range b {
		set[strings.ToLower(s)] |= 2
	}
	shared := 0
	for _, v := range set {
		if v == 3 {
			shared++
		}
	}
	if len(set) == 0 {
		return 0
	}
	return float64(shared) / float64(len(set))
}

// band is an app's band of confidence: 2 Top Picks, 1 Also Consider, 0
// below (as rag ranks and FormatReply groups them).
func band(a vrrec.AppRecommendation) int {
	switch {
	case a.LikelinessScore >= rag.TopPickMin:
		return 2
	case a.LikelinessScore >= rag.FitMin:
		return 1
	}
	return 0
}

// hiddenNote tells the student that apps they marked not helpful for this
// need were left out.
func hiddenNote(n int) string {
	if n == 1 {
		return "\n\n_1 app you marked not helpful for this is hidden._"
	}
	return fmt.Sprintf("\n\n_%d apps you marked not helpful for this are hidden._", n)
}
