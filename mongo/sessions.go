package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

type messageDoc struct {
	UserID    string                    `bson:"user_id"`
	SessionID string                    `bson:"session_id"`
	Role      string                    `bson:"role"`
	Content   string                    `bson:"content"`
	Intent    string                    `bson:"intent"`
	Apps      []vrrec.AppRecommendation `bson:"apps"`
	Query     string                    `bson:"query"`
	// InteractionID is the interaction an assistant message was logged as.
	InteractionID string `bson:"interaction_id,omitempty"`
	TS            int64  `bson:"ts"`  // unix nanoseconds: milliseconds would tie
	Seq           int    `bson:"seq"` // order within one Append
}

// Append implements vrrec.SessionStore.
func (d *DB) Append(ctx context.Context, userID, sessionID string, msgs ...vrrec.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	docs := make([]any, len(msgs))
	for i, m := range msgs {
		docs[i] = messageDoc{UserID: userID, SessionID: sessionID, Role: m.Role, Content: m.Content, Intent: m.Intent, Apps: m.Apps,
			Query: m.Query, InteractionID: m.InteractionID, TS: m.Time.UnixNano(), Seq: i}
	}
	c := d.db.Collection(colMessages)
	if _, err := c.InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("append messages: %w", err)
	}
	// Keep the session's latest MaxSessionMessages: find the newest one
	// beyond them, and delete it and everything older.
	session := bson.D{{Key: "user_id", Value: userID}, {Key: "session_id", Value: sessionID}}
	var oldest messageDoc
	err := c.FindOne(ctx, session, options.FindOne().SetSort(newestFirst).SetSkip(vrrec.MaxSessionMessages)).Decode(&oldest)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("append messages: trim: %w", err)
	}
	older := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "ts", Value: bson.D{{Key: "$lt", Value: oldest.TS}}}},
		bson.D{{Key: "ts", Value: oldest.TS}, {Key: "seq", Value: bson.D{{Key: "$lte", Value: oldest.Seq}}}},
	}}}
	if _, err := c.DeleteMany(ctx, append(session, older...)); err != nil {
		return fmt.Errorf("append messages: trim: %w", err)
	}
	return nil
}

var newestFirst = bson.D{{Key: "ts", Value: -1}, {Key: "seq", Value: -1}}

// Session implements vrrec.SessionStore.
func (d *DB) Session(ctx context.Context, userID, sessionID string, limit int) ([]vrrec.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	msgs, err := d.messages(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "session_id", Value: sessionID}},
		options.Find().SetSort(newestFirst).SetLimit(int64(limit)))
	slices.Reverse(msgs)
	return msgs, err
}

// History implements vrrec.SessionStore.
func (d *DB) History(ctx context.Context, userID string, limit int) ([]vrrec.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	msgs, err := d.messages(ctx, bson.D{{Key: "user_id", Value: userID}}, options.Find().SetSort(newestFirst).SetLimit(int64(limit)))
	slices.Reverse(msgs)
	return msgs, err
}

func (d *DB) messages(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder) ([]vrrec.Message, error) {
	cur, err := d.db.Collection(colMessages).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	var docs []messageDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	var out []vrrec.Message
	for _, doc := range docs {
		out = append(out, vrrec.Message{SessionID: doc.SessionID, Role: doc.Role, Content: doc.Content, Intent: doc.Intent,
			Apps: doc.Apps, Query: doc.Query, InteractionID: doc.InteractionID, Time: time.Unix(0, doc.TS).UTC()})
	}
	return out, nil
}

// Config implements vrrec.ConfigStore.
func (d *DB) Config(ctx context.Context) (map[string]string, error) {
	cur, err := d.db.Collection(colConfig).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var docs []struct {
		Key   string `bson:"_id"`
		Value string `bson:"value"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	out := make(map[string]string, len(docs))
	for _, doc := range docs {
		out[doc.Key] = doc.Value
	}
	return out, nil
}

// SetConfig implements vrrec.ConfigStore.
func (d *DB) SetConfig(ctx context.Context, values map[string]string) error {
	c := d.db.Collection(colConfig)
	for k, v := range values {
		var err error
		if v == "" {
			_, err = c.DeleteOne(ctx, bson.D{{Key: "_id", Value: k}})
		} else {
			_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: k}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: v}, {Key: "updated_at", Value: time.Now().UTC()}}}},
				options.UpdateOne().SetUpsert(true))
		}
		if err != nil {
			return fmt.Errorf("set config %s: %w", k, err)
		}
	}
	return nil
}
