package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

// Collections of the students' votes and the staff's labeled queries.
const (
	colFeedback = "feedback"
	colLabeled  = "labeled_queries"
)

// feedbackDoc is a vote as stored: its id is the student, interaction and
// app, so a student has one vote on each.
type feedbackDoc struct {
	ID            string    `bson:"_id"`
	UserID        string    `bson:"user_id"`
	InteractionID string    `bson:"interaction_id"`
	AppID         string    `bson:"app_id"`
	Vote          string    `bson:"vote"`
	TS            time.Time `bson:"ts"`
}

func feedbackID(f vrrec.Feedback) string {
	return f.UserID + "|" + f.InteractionID + "|" + f.AppID
}

// SaveFeedback implements vrrec.FeedbackStore.
func (d *DB) SaveFeedback(ctx context.Context, f vrrec.Feedback) error {
	c := d.db.Collection(colFeedback)
	id := feedbackID(f)
	var err error
	if f.Vote == "" {
		_, err = c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	} else {
		err = put(ctx, c, id, bson.D{{Key: "_id", Value: id}, {Key: "user_id", Value: f.UserID},
			{Key: "interaction_id", Value: f.InteractionID}, {Key: "app_id", Value: f.AppID},
			{Key: "vote", Value: f.Vote}, {Key: "ts", Value: f.Time.UTC().Truncate(time.Millisecond)}})
	}
	if err != nil {
		return fmt.Errorf("save feedback: %w", err)
	}
	return nil
}

// Feedback implements vrrec.FeedbackStore.
func (d *DB) Feedback(ctx context.Context, since time.Time) ([]vrrec.Feedback, error) {
	return d.votes(ctx, bson.D{{Key: "ts", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}})
}

// StudentFeedback implements vrrec.FeedbackStore.
func (d *DB) StudentFeedback(ctx context.Context, userID string) ([]vrrec.Feedback, error) {
	return d.votes(ctx, bson.D{{Key: "user_id", Value: userID}})
}

// ForgetFeedback implements vrrec.FeedbackStore.
func (d *DB) ForgetFeedback(ctx context.Context, userID string) (int, error) {
	res, err := d.db.Collection(colFeedback).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	if err != nil {
		return 0, fmt.Errorf("forget feedback: %w", err)
	}
	return int(res.DeletedCount), nil
}

// ExpireFeedback implements vrrec.FeedbackStore.
func (d *DB) ExpireFeedback(ctx context.Context, before time.Time) (int, error) {
	res, err := d.db.Collection(colFeedback).DeleteMany(ctx, bson.D{{Key: "ts", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("expire feedback: %w", err)
	}
	return int(res.DeletedCount), nil
}

// votes finds votes, oldest first.
func (d *DB) votes(ctx context.Context, filter bson.D) ([]vrrec.Feedback, error) {
	cur, err := d.db.Collection(colFeedback).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "ts", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	var docs []feedbackDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	out := make([]vrrec.Feedback, len(docs))
	for i, doc := range docs {
		out[i] = vrrec.Feedback{UserID: doc.UserID, InteractionID: doc.InteractionID, AppID: doc.AppID, Vote: doc.Vote, Time: doc.TS.UTC()}
	}
	return out, nil
}

// labeledDoc is a labeled query as stored, its text the id.
type labeledDoc struct {
	Query         string    `bson:"_id"`
	Relevant      []string  `bson:"relevant"`
	Acceptable    []string  `bson:"acceptable"`
	InteractionID string    `bson:"interaction_id"`
	CreatedBy     string    `bson:"created_by"`
	CreatedAt     time.Time `bson:"created_at"`
}

// SaveLabeledQuery implements vrrec.LabeledQueryStore.
func (d *DB) SaveLabeledQuery(ctx context.Context, q vrrec.LabeledQuery) error {
	if err := put(ctx, d.db.Collection(colLabeled), q.Query, bson.D{{Key: "_id", Value: q.Query},
		{Key: "relevant", Value: nonNil(q.Relevant)}, {Key: "acceptable", Value: nonNil(q.Acceptable)},
		{Key: "interaction_id", Value: q.InteractionID}, {Key: "created_by", Value: q.CreatedBy},
		{Key: "created_at", Value: q.CreatedAt.UTC().Truncate(time.Millisecond)}}); err != nil {
		return fmt.Errorf("save labeled query: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// LabeledQueries implements vrrec.LabeledQueryStore.
func (d *DB) LabeledQueries(ctx context.Context) ([]vrrec.LabeledQuery, error) {
	cur, err := d.db.Collection(colLabeled).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("labeled queries: %w", err)
	}
	var docs []labeledDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("labeled queries: %w", err)
	}
	out := make([]vrrec.LabeledQuery, len(docs))
	for i, doc := range docs {
		out[i] = vrrec.LabeledQuery{Query: doc.Query, Relevant: doc.Relevant, Acceptable: doc.Acceptable,
			InteractionID: doc.InteractionID, CreatedBy: doc.CreatedBy, CreatedAt: doc.CreatedAt.UTC()}
	}
	return out, nil
}
