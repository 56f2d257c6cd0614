// Package usage reads what students' use of the service says: how helpful
// they found the apps they were shown (their votes), and what they asked
// for that the catalog could not answer well (unmet demand, grouped into
// topics by meaning). It reaches the database and the sentence model only
// through the domain interfaces.
package usage

import (
	"context"
	"fmt"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// MaxUnmet bounds the unmet questions a demand report groups: the newest.
const MaxUnmet = 2000

// Reports makes the staff's usage reports from the stores.
type Reports struct {
	Log      vrrec.InteractionLog
	Votes    vrrec.FeedbackStore
	Embedder vrrec.Embedder
	// Vectors, when set, keeps the questions' vectors (in the database's
	// vector store), so each question is embedded once, not at every
	// report.
	Vectors *embedding.Cache
	// AppName names an app of the served catalog ("" when unknown).
	AppName func(appID string) string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Feedback summarises the votes cast since the given time (zero: all).
func (r *Reports) Feedback(ctx context.Context, since time.Time) (vrrec.FeedbackReport, error) {
	votes, err := r.Votes.Feedback(ctx, since)
	if err != nil {
		return vrrec.FeedbackReport{}, err
	}
	ids := []string{}
	seen := map[string]bool{}
	for _, v := range votes {
		if !seen[v.InteractionID] {
			seen[v.InteractionID] = true
			ids = append(ids, v.InteractionID)
		}
	}
	byID := map[string]vrrec.Interaction{}
	if len(ids) > 0 {
		its, _, err := r.Log.Interactions(ctx, vrrec.InteractionFilter{IDs: ids, Limit: len(ids)})
		if err != nil {
			return vrrec.FeedbackReport{}, fmt.Errorf("feedback report: %w", err)
		}
		for _, it := range its {
			byID[it.ID] = it
		}
	}
	name := r.AppName
	if name == nil {
		name = func(string) string { return "" }
	}
	rep := Helpfulness(votes, byID, name)
	for i, p := range rep.Personalisation {
		_, n, err := r.Log.Interactions(ctx, vrrec.InteractionFilter{Since: since, AdjustedBy: p.Key, Limit: 1})
		if err != nil {
			return vrrec.FeedbackReport{}, fmt.Errorf("feedback report: %w", err)
		}
		rep.Personalisation[i].Answers = n
	}
	return rep, nil
}

// Demand groups the unmet questions asked since the given time (zero: all)
// into topics.
func (r *Reports) Demand(ctx context.Context, since time.Time) (vrrec.DemandReport, error) {
	unmet, _, err := r.Log.Interactions(ctx, vrrec.InteractionFilter{Since: since, Unmet: true, Limit: MaxUnmet})
	if err != nil {
		return vrrec.DemandReport{}, fmt.Errorf("demand report: %w", err)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	var emb vrrec.Embedder = r.Embedder
	if r.Vectors != nil {
		emb = cached{r.Vectors, r.Embedder}
	}
	return Demand(ctx, emb, unmet, since, now())
}

// cached embeds through a vector cache.
type cached struct {
	cache *embedding.Cache
	vrrec.Embedder
}

func (c cached) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, _, err := c.cache.Embed(ctx, c.Embedder, texts)
	return vecs, err
}
