package mongo

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

// Collections of what stays of deleted interactions, and of the students
// who asked to be forgotten.
const (
	colDays      = "interaction_days"
	colForgotten = "forgotten_users"
)

// dayDoc is a vrrec.DaySummary as stored. Intents and apps are lists
// rather than objects: an app id may hold a dot. Without transactions, a
// summary and the deletion of what it summarises cannot be one write:
// Folds lists the summarising runs (folds) already added, so a run cut off
// between the two adds nothing twice when it is done again; Rev guards
// against two runs adding at once.
type dayDoc struct {
	Day          string        `bson:"_id"`
	Interactions int           `bson:"interactions"`
	Users        int           `bson:"users"`
	Latencies    []float64     `bson:"latencies"`
	Intents      []vrrec.Count `bson:"intents"`
	Apps         []vrrec.Count `bson:"apps"`
	Folds        []string      `bson:"folds"`
	Rev          int           `bson:"rev"`
}

func (doc dayDoc) summary() vrrec.DaySummary {
	s := vrrec.DaySummary{Day: doc.Day, Interactions: doc.Interactions, Users: doc.Users, Latencies: doc.Latencies,
		Intents: map[string]int{}, Apps: map[string]int{}}
	for _, c := range doc.Intents {
		s.Intents[c.Key] = c.Count
	}
	for _, c := range doc.Apps {
		s.Apps[c.Key] = c.Count
	}
	return s
}

func countList(m map[string]int) []vrrec.Count {
	out := make([]vrrec.Count, 0, len(m))
	for k, n := range m {
		out = append(out, vrrec.Count{Key: k, Count: n})
	}
	slices.SortFunc(out, func(a, b vrrec.Count) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// ForgetInteractions implements vrrec.InteractionLog. The refusal is
// written before the deletion, and Record looks for refusals after it
// inserts: an interaction inserted while a forget runs is either deleted
// by the forget or by its Record.
func (d *DB) ForgetInteractions(ctx context.Context, userID string, at time.Time) (int, error) {
	at = at.UTC().Truncate(time.Millisecond)
	key := vrrec.ForgottenKey(userID)
	c := d.db.Collection(colForgotten)
	var prev struct {
		At time.Time `bson:"at"`
	}
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&prev); err == nil && prev.At.After(at) {
		at = prev.At
	} else if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("forget interactions: %w", err)
	}
	if err := put(ctx, c, key, bson.D{{Key: "_id", Value: key}, {Key: "at", Value: at}}); err != nil {
		return 0, fmt.Errorf("forget interactions: %w", err)
	}
	n, err := d.summarizeAndDelete(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "ts", Value: bson.D{{Key: "$lte", Value: at}}}})
	if err != nil {
		return n, fmt.Errorf("forget interactions: %w", err)
	}
	return n, nil
}

// ExpireInteractions implements vrrec.InteractionLog.
func (d *DB) ExpireInteractions(ctx context.Context, before time.Time) (int, error) {
	day := before.UTC().Truncate(24 * time.Hour)
	n, err := d.summarizeAndDelete(ctx, bson.D{{Key: "ts", Value: bson.D{{Key: "$lt", Value: day}}}})
	if err != nil {
		return n, fmt.Errorf("expire interactions: %w", err)
	}
	if _, err := d.db.Collection(colForgotten).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: day}}}}); err != nil {
		return n, fmt.Errorf("expire interactions: %w", err)
	}
	return n, nil
}

// refuseForgotten deletes, after a Record, those of items whose student
// was forgotten after they were answered. They are not added to the
// summaries: a replay brings back what the forget counted already. (So an
// interaction first stored while its student's forget runs is left out of
// the counts; none is ever counted twice.) Rows a forget has tagged are
// left to it.
func (d *DB) refuseForgotten(ctx context.Context, items []vrrec.Interaction) error {
	byKey := map[string][]vrrec.Interaction{}
	keys := bson.A{}
	for _, it := range items {
		k := vrrec.ForgottenKey(it.UserID)
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], it)
	}
	cur, err := d.db.Collection(colForgotten).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}})
	if err != nil {
		return err
	}
	var found []struct {
		Key string    `bson:"_id"`
		At  time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return err
	}
	var refused bson.A
	for _, f := range found {
		for _, it := range byKey[f.Key] {
			if !it.Time.Truncate(time.Millisecond).After(f.At) {
				refused = append(refused, it.ID)
			}
		}
	}
	if len(refused) == 0 {
		return nil
	}
	_, err = d.db.Collection(colLogs).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: refused}}},
		{Key: "fold", Value: bson.D{{Key: "$exists", Value: false}}}})
	return err
}

// summarizeAndDelete adds the interactions matching filter to their days'
// summaries and deletes them. Each run (fold) first tags the rows it takes;
// a run cut off leaves tagged rows, which the next run over them finishes:
// it adds their fold to the days that lack it, then deletes them.
func (d *DB) summarizeAndDelete(ctx context.Context, filter bson.D) (int, error) {
	logs := d.db.Collection(colLogs)
	fold := rand.Text()
	untagged := append(slices.Clone(filter), bson.E{Key: "fold", Value: bson.D{{Key: "$exists", Value: false}}})
	if _, err := logs.UpdateMany(ctx, untagged, bson.D{{Key: "$set", Value: bson.D{{Key: "fold", Value: fold}}}}); err != nil {
		return 0, err
	}
	tagged := append(slices.Clone(filter), bson.E{Key: "fold", Value: bson.D{{Key: "$exists", Value: true}}})
	raw, err := logs.Distinct(ctx, "fold", tagged).Raw()
	if err != nil {
		return 0, err
	}
	values, err := raw.Values()
	if err != nil {
		return 0, err
	}
	total := 0
	for _, v := range values {
		f, ok := v.StringValueOK()
		if !ok {
			continue
		}
		n, err := d.finishFold(ctx, f)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// finishFold adds the rows tagged fold to their days (those that lack the
// fold), deletes them, and forgets the fold.
func (d *DB) finishFold(ctx context.Context, fold string) (int, error) {
	logs := d.db.Collection(colLogs)
	byFold := bson.D{{Key: "fold", Value: fold}}
	cur, err := logs.Find(ctx, byFold, options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}, {Key: "intent", Value: 1},
		{Key: "recommended_apps", Value: 1}, {Key: "latency_ms", Value: 1}, {Key: "ts", Value: 1}}))
	if err != nil {
		return 0, err
	}
	var docs []logDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, err
	}
	items := make([]vrrec.Interaction, len(docs))
	for i, doc := range docs {
		items[i] = vrrec.Interaction{UserID: doc.UserID, Intent: doc.Intent, Apps: doc.Apps, LatencyMS: doc.LatencyMS, Time: doc.TS}
	}
	for _, add := range vrrec.SummarizeDays(items) {
		if err := d.addToDay(ctx, add, fold); err != nil {
			return 0, err
		}
	}
	res, err := logs.DeleteMany(ctx, byFold)
	if err != nil {
		return 0, err
	}
	days := d.db.Collection(colDays)
	if _, err := days.UpdateMany(ctx, bson.D{{Key: "folds", Value: fold}}, bson.D{{Key: "$pull", Value: bson.D{{Key: "folds", Value: fold}}}}); err != nil {
		return int(res.DeletedCount), err
	}
	return int(res.DeletedCount), nil
}

// addToDay adds add to its day's summary unless fold was added already,
// retrying when another run changed the day meanwhile.
func (d *DB) addToDay(ctx context.Context, add vrrec.DaySummary, fold string) error {
	days := d.db.Collection(colDays)
	for {
		var doc dayDoc
		err := days.FindOne(ctx, bson.D{{Key: "_id", Value: add.Day}}).Decode(&doc)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			doc = dayDoc{Day: add.Day, Intents: []vrrec.Count{}, Apps: []vrrec.Count{}, Latencies: []float64{}, Folds: []string{}, Rev: -1}
		case err != nil:
			return err
		case slices.Contains(doc.Folds, fold):
			return nil
		}
		sum := doc.summary().Add(add)
		next := dayDoc{Day: add.Day, Interactions: sum.Interactions, Users: sum.Users, Latencies: sum.Latencies,
			Intents: countList(sum.Intents), Apps: countList(sum.Apps), Folds: append(doc.Folds, fold), Rev: doc.Rev + 1}
		if doc.Rev < 0 {
			_, err = days.InsertOne(ctx, next)
			if mongo.IsDuplicateKeyError(err) {
				continue // another run created the day first
			}
			return err
		}
		res, err := days.ReplaceOne(ctx, bson.D{{Key: "_id", Value: add.Day}, {Key: "rev", Value: doc.Rev}}, next)
		if err != nil {
			return err
		}
		if res.MatchedCount == 1 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// daySummaries reads the summaries of the days from firstDay on ("" for
// all), oldest first.
func (d *DB) daySummaries(ctx context.Context, firstDay string) ([]vrrec.DaySummary, error) {
	cur, err := d.db.Collection(colDays).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: firstDay}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("day summaries: %w", err)
	}
	var docs []dayDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("day summaries: %w", err)
	}
	out := make([]vrrec.DaySummary, len(docs))
	for i, doc := range docs {
		out[i] = doc.summary()
	}
	return out, nil
}

// ForgetSessions implements vrrec.SessionStore.
func (d *DB) ForgetSessions(ctx context.Context, userID string) (int, error) {
	res, err := d.db.Collection(colMessages).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	if err != nil {
		return 0, fmt.Errorf("forget sessions: %w", err)
	}
	return int(res.DeletedCount), nil
}

// ExpireSessions implements vrrec.SessionStore. The sessions with a
// message older than before, less those with a newer one, are the stale
// ones (FerretDB 1.x has no $max accumulator to group by last message).
func (d *DB) ExpireSessions(ctx context.Context, before time.Time) (int, error) {
	c := d.db.Collection(colMessages)
	type key struct {
		UserID    string `bson:"u"`
		SessionID string `bson:"s"`
	}
	sessions := func(ts bson.D) (map[key]bool, error) {
		var rows []struct {
			ID key `bson:"_id"`
		}
		err := aggregate(ctx, c, &rows, bson.D{{Key: "$match", Value: bson.D{{Key: "ts", Value: ts}}}},
			bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "u", Value: "$user_id"}, {Key: "s", Value: "$session_id"}}},
				{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}})
		out := make(map[key]bool, len(rows))
		for _, r := range rows {
			out[r.ID] = true
		}
		return out, err
	}
	old, err := sessions(bson.D{{Key: "$lt", Value: before.UnixNano()}})
	if err != nil {
		return 0, fmt.Errorf("expire sessions: %w", err)
	}
	active, err := sessions(bson.D{{Key: "$gte", Value: before.UnixNano()}})
	if err != nil {
		return 0, fmt.Errorf("expire sessions: %w", err)
	}
	var stale []bson.D
	for k := range old {
		if !active[k] {
			// Only the old messages: one written since the session was
			// found stale starts it again.
			stale = append(stale, bson.D{{Key: "user_id", Value: k.UserID}, {Key: "session_id", Value: k.SessionID},
				{Key: "ts", Value: bson.D{{Key: "$lt", Value: before.UnixNano()}}}})
		}
	}
	total := 0
	for batch := range slices.Chunk(stale, 100) {
		res, err := c.DeleteMany(ctx, bson.D{{Key: "$or", Value: batch}})
		if err != nil {
			return total, fmt.Errorf("expire sessions: %w", err)
		}
		total += int(res.DeletedCount)
	}
	return total, nil
}
