package mongo

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vrrec/vrrec"
)

// colLLMSpend keeps the language model's use as one document per addition
// ({day, calls, prompt_tokens, completion_tokens}), summed per day when
// read: MongoDB-compatible servers that apply an update by rewriting the
// document (FerretDB 1.x) lose concurrent $inc updates, inserts they do
// not.
const colLLMSpend = "llm_spend"

type spendDoc struct {
	Day              string `bson:"day"`
	Calls            int64  `bson:"calls"`
	PromptTokens     int64  `bson:"prompt_tokens"`
	CompletionTokens int64  `bson:"completion_tokens"`
}

// AddLLMSpend implements vrrec.LLMSpendStore: the addition is inserted,
// then the day summed, so the totals include it and every addition made
// before it.
func (d *DB) AddLLMSpend(ctx context.Context, add vrrec.LLMSpend) (vrrec.LLMSpend, error) {
	if _, err := d.db.Collection(colLLMSpend).InsertOne(ctx, spendDoc(add)); err != nil {
		return vrrec.LLMSpend{}, fmt.Errorf("add LLM spend: %w", err)
	}
	days, err := d.LLMSpendDays(ctx, add.Day, add.Day)
	if err != nil {
		return vrrec.LLMSpend{}, fmt.Errorf("add LLM spend: %w", err)
	}
	if len(days) == 0 {
		return vrrec.LLMSpend{}, fmt.Errorf("add LLM spend: the addition to %s is not found", add.Day)
	}
	return days[0], nil
}

// LLMSpendDays implements vrrec.LLMSpendStore. The additions are summed
// here: FerretDB 1.x answers $sum of a field with 0.
func (d *DB) LLMSpendDays(ctx context.Context, from, to string) ([]vrrec.LLMSpend, error) {
	cur, err := d.db.Collection(colLLMSpend).Find(ctx, bson.D{{Key: "day", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}}})
	if err != nil {
		return nil, fmt.Errorf("LLM spend: %w", err)
	}
	var docs []spendDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("LLM spend: %w", err)
	}
	byDay := map[string]*vrrec.LLMSpend{}
	for _, doc := range docs {
		s := byDay[doc.Day]
		if s == nil {
			s = &vrrec.LLMSpend{Day: doc.Day}
			byDay[doc.Day] = s
		}
		s.Calls, s.PromptTokens, s.CompletionTokens = s.Calls+doc.Calls, s.PromptTokens+doc.PromptTokens, s.CompletionTokens+doc.CompletionTokens
	}
	out := make([]vrrec.LLMSpend, 0, len(byDay))
	for _, day := range slices.Sorted(maps.Keys(byDay)) {
		out = append(out, *byDay[day])
	}
	return out, nil
}
