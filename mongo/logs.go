package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

// logDoc is an interaction as stored: its id is the document id, so a
// replay cannot insert it twice, and the day is stored for grouping without
// date operators.
type logDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	SessionID string    `bson:"session_id"`
	Query     string    `bson:"query"`
	Intent    string    `bson:"intent"`
	Response  string    `bson:"response"`
	Apps      []string  `bson:"recommended_apps"`
	LatencyMS float64   `bson:"latency_ms"`
	Source    string    `bson:"source"`
	TS        time.Time `bson:"ts"`
	Day       string    `bson:"day"`
	// How well the answer fit; absent from documents logged before.
	Topic       string `bson:"topic,omitempty"`
	NothingFits bool   `bson:"nothing_fits"`
	BestMatch   int    `bson:"best_match"`
	// The page's course and what changed the answer for the student;
	// absent from documents logged before.
	Course     string   `bson:"course,omitempty"`
	AdjustedBy []string `bson:"adjusted_by,omitempty"`
}

// Record implements vrrec.InteractionLog. Interactions of a student
// forgotten after they were answered are deleted again once inserted
// (ForgetInteractions).
func (d *DB) Record(ctx context.Context, items ...vrrec.Interaction) error {
	if len(items) == 0 {
		return nil
	}
	docs := make([]any, len(items))
	for i, it := range items {
		apps := it.Apps
		if apps == nil {
			apps = []string{}
		}
		ts := it.Time.UTC().Truncate(time.Millisecond)
		docs[i] = logDoc{it.ID, it.UserID, it.SessionID, it.Query, it.Intent, it.Response, apps, it.LatencyMS, it.Source, ts, ts.Format("2006-01-02"),
			it.Topic, it.NothingFits, it.BestMatch, it.Course, it.AdjustedBy}
	}
	_, err := d.db.Collection(colLogs).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) && bulk.WriteConcernError == nil {
		for _, we := range bulk.WriteErrors {
			if we.Code != 11000 { // duplicate key: already stored
				return fmt.Errorf("record interactions: %w", err)
			}
		}
		err = nil
	}
	if err != nil {
		return fmt.Errorf("record interactions: %w", err)
	}
	if err := d.refuseForgotten(ctx, items); err != nil {
		return fmt.Errorf("record interactions: forgotten students: %w", err)
	}
	return nil
}

// Interactions implements vrrec.InteractionLog.
func (d *DB) Interactions(ctx context.Context, f vrrec.InteractionFilter) ([]vrrec.Interaction, int, error) {
	filter := interactionFilter(f)
	c := d.db.Collection(colLogs)
	total, err := c.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("interactions: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	cur, err := c.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "ts", Value: -1}, {Key: "_id", Value: 1}}).
		SetSkip(int64(max(f.Offset, 0))).SetLimit(int64(limit)))
	if err != nil {
		return nil, 0, fmt.Errorf("interactions: %w", err)
	}
	var docs []logDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("interactions: %w", err)
	}
	out := make([]vrrec.Interaction, len(docs))
	for i, doc := range docs {
		out[i] = vrrec.Interaction{ID: doc.ID, UserID: doc.UserID, SessionID: doc.SessionID, Query: doc.Query, Intent: doc.Intent,
			Response: doc.Response, Apps: doc.Apps, LatencyMS: doc.LatencyMS, Source: doc.Source, Time: doc.TS.UTC(),
			Topic: doc.Topic, NothingFits: doc.NothingFits, BestMatch: doc.BestMatch, Course: doc.Course, AdjustedBy: doc.AdjustedBy}
	}
	return out, int(total), nil
}

// interactionFilter is the query selecting f's interactions.
func interactionFilter(f vrrec.InteractionFilter) bson.D {
	filter := bson.D{}
	if f.UserID != "" {
		filter = append(filter, bson.E{Key: "user_id", Value: f.UserID})
	}
	if !f.Since.IsZero() {
		filter = append(filter, bson.E{Key: "ts", Value: bson.D{{Key: "$gte", Value: f.Since.UTC()}}})
	}
	if f.IDs != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: f.IDs}}})
	}
	if f.Unmet {
		filter = append(filter, bson.E{Key: "intent", Value: "recommendation"},
			bson.E{Key: "topic", Value: bson.D{{Key: "$exists", Value: true}, {Key: "$ne", Value: ""}}},
			bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: "nothing_fits", Value: true}},
				bson.D{{Key: "best_match", Value: bson.D{{Key: "$lt", Value: vrrec.WeakMatch}}}},
			}})
	}
	switch f.AdjustedBy {
	case "":
	case vrrec.NotAdjusted: // plain answers have no adjusted_by (omitempty)
		if !f.Unmet {
			filter = append(filter, bson.E{Key: "intent", Value: "recommendation"})
		}
		filter = append(filter, bson.E{Key: "adjusted_by", Value: bson.D{{Key: "$exists", Value: false}}})
	default:
		filter = append(filter, bson.E{Key: "adjusted_by", Value: f.AdjustedBy})
	}
	return filter
}

// Stats implements vrrec.InteractionLog.
func (d *DB) Stats(ctx context.Context, since time.Time) (vrrec.Stats, error) {
	rows, err := d.rowStats(ctx, since)
	if err != nil {
		return vrrec.Stats{}, err
	}
	firstDay := ""
	if !since.IsZero() {
		firstDay = vrrec.Day(since)
	}
	days, err := d.daySummaries(ctx, firstDay)
	if err != nil {
		return vrrec.Stats{}, fmt.Errorf("stats: %w", err)
	}
	c := d.db.Collection(colLogs)
	match := bson.D{{Key: "ts", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}}
	return vrrec.CombineStats(rows, days, func() ([]float64, error) {
		var out []float64
		err := eachLatency(ctx, c, match, func(ms float64) { out = append(out, ms) })
		return out, err
	})
}

// rowStats are the statistics of the interactions kept since since.
func (d *DB) rowStats(ctx context.Context, since time.Time) (vrrec.RowStats, error) {
	c := d.db.Collection(colLogs)
	match := bson.D{{Key: "ts", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}}
	var s vrrec.RowStats
	var totals []struct {
		Count   int     `bson:"count"`
		Latency float64 `bson:"latency"`
	}
	if err := aggregate(ctx, c, &totals, bson.D{{Key: "$match", Value: match}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: nil}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}},
			{Key: "latency", Value: bson.D{{Key: "$sum", Value: "$latency_ms"}}}}}}); err != nil {
		return s, err
	}
	var err error
	if len(totals) == 0 || totals[0].Count == 0 {
		s.Latency, err = latencyDistribution(ctx, c, since)
		return s, err
	}
	s.Total = totals[0].Count
	s.LatencySum = totals[0].Latency
	if s.LatencySum == 0 {
		// FerretDB 1.x answers $sum of a field with 0: add up in Go.
		if err := eachLatency(ctx, c, match, func(ms float64) { s.LatencySum += ms }); err != nil {
			return s, err
		}
	}
	users, err := c.Distinct(ctx, "user_id", match).Raw()
	if err != nil {
		return s, fmt.Errorf("stats: users: %w", err)
	}
	values, err := users.Values()
	if err != nil {
		return s, fmt.Errorf("stats: users: %w", err)
	}
	s.UniqueUsers = len(values)
	// The nearest-rank 95th percentile.
	rank := int64(math.Ceil(0.95*float64(s.Total))) - 1
	var p95 logDoc
	if err := c.FindOne(ctx, match, options.FindOne().SetSort(bson.D{{Key: "latency_ms", Value: 1}}).SetSkip(rank).
		SetProjection(bson.D{{Key: "latency_ms", Value: 1}})).Decode(&p95); err != nil {
		return s, fmt.Errorf("stats: p95: %w", err)
	}
	s.P95 = p95.LatencyMS
	if s.Intents, err = counts(ctx, c, match, "$intent", false); err != nil {
		return s, err
	}
	if s.Apps, err = counts(ctx, c, match, "$recommended_apps", true); err != nil {
		return s, err
	}
	if s.PerDay, err = counts(ctx, c, match, "$day", false); err != nil {
		return s, err
	}
	s.Latency, err = latencyDistribution(ctx, c, since)
	return s, err
}

// latencyDistribution counts interactions per vrrec.LatencyBuckets range.
func latencyDistribution(ctx context.Context, c *mongo.Collection, since time.Time) ([]vrrec.Count, error) {
	labels := vrrec.LatencyBucketLabels()
	out := make([]vrrec.Count, len(labels))
	for i, l := range labels {
		latency := bson.D{}
		if i > 0 {
			latency = append(latency, bson.E{Key: "$gte", Value: vrrec.LatencyBuckets[i-1]})
		}
		if i < len(vrrec.LatencyBuckets) {
			latency = append(latency, bson.E{Key: "$lt", Value: vrrec.LatencyBuckets[i]})
		}
		n, err := c.CountDocuments(ctx, bson.D{{Key: "ts", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}, {Key: "latency_ms", Value: latency}})
		if err != nil {
			return nil, fmt.Errorf("stats: latency: %w", err)
		}
		out[i] = vrrec.Count{Key: l, Count: int(n)}
	}
	return out, nil
}

// eachLatency calls f with the latency of every matched interaction.
func eachLatency(ctx context.Context, c *mongo.Collection, match bson.D, f func(ms float64)) error {
	cur, err := c.Find(ctx, match, options.Find().SetProjection(bson.D{{Key: "latency_ms", Value: 1}}))
	if err != nil {
		return fmt.Errorf("stats: latency: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var doc struct {
			LatencyMS float64 `bson:"latency_ms"`
		}
		if err := cur.Decode(&doc); err != nil {
			return fmt.Errorf("stats: latency: %w", err)
		}
		f(doc.LatencyMS)
	}
	return cur.Err()
}

// counts groups the matched logs by a field (unwinding an array field) and
// counts them.
func counts(ctx context.Context, c *mongo.Collection, match bson.D, field string, unwind bool) ([]vrrec.Count, error) {
	pipeline := []bson.D{{{Key: "$match", Value: match}}}
	if unwind {
		pipeline = append(pipeline, bson.D{{Key: "$unwind", Value: field}})
	}
	pipeline = append(pipeline, bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: field}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}})
	var rows []struct {
		Key   string `bson:"_id"`
		Count int    `bson:"count"`
	}
	if err := aggregate(ctx, c, &rows, pipeline...); err != nil {
		return nil, err
	}
	out := make([]vrrec.Count, len(rows))
	for i, r := range rows {
		out[i] = vrrec.Count{Key: r.Key, Count: r.Count}
	}
	return out, nil
}

func aggregate[T any](ctx context.Context, c *mongo.Collection, dst *[]T, stages ...bson.D) error {
	cur, err := c.Aggregate(ctx, mongo.Pipeline(stages))
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	if err := cur.All(ctx, dst); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	return nil
}

// AnswersByCourse implements vrrec.CourseLog. The answers are counted as
// they are read (only their course, student and what changed them), so a
// backend without $group on arrays (FerretDB) counts them the same.
func (d *DB) AnswersByCourse(ctx context.Context, since time.Time) ([]vrrec.CourseAnswers, error) {
	filter := bson.D{{Key: "course", Value: bson.D{{Key: "$exists", Value: true}, {Key: "$ne", Value: ""}}}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "ts", Value: bson.D{{Key: "$gte", Value: since.UTC()}}})
	}
	cur, err := d.db.Collection(colLogs).Find(ctx, filter, options.Find().
		SetProjection(bson.D{{Key: "course", Value: 1}, {Key: "user_id", Value: 1}, {Key: "adjusted_by", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("answers by course: %w", err)
	}
	defer cur.Close(ctx)
	byCourse := map[string]*vrrec.CourseAnswers{}
	students := map[string]map[string]bool{}
	for cur.Next(ctx) {
		var doc logDoc
		if err := cur.Decode(&doc); err != nil {
			return nil, fmt.Errorf("answers by course: %w", err)
		}
		c := byCourse[doc.Course]
		if c == nil {
			c = &vrrec.CourseAnswers{CourseID: doc.Course}
			byCourse[doc.Course], students[doc.Course] = c, map[string]bool{}
		}
		c.Answers++
		students[doc.Course][doc.UserID] = true
		if slices.Contains(doc.AdjustedBy, vrrec.AdjustedByCourse) {
			c.InCourse++
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("answers by course: %w", err)
	}
	out := make([]vrrec.CourseAnswers, 0, len(byCourse))
	for id, c := range byCourse {
		c.Students = len(students[id])
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b vrrec.CourseAnswers) int {
		if c := cmp.Compare(b.Answers, a.Answers); c != 0 {
			return c
		}
		return cmp.Compare(a.CourseID, b.CourseID)
	})
	return out, nil
}
