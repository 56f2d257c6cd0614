package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

// colProfiles keeps what students told the chat about their studies and
// their last visit, one document per identity (_id the user id).
const colProfiles = "profiles"

type profileDoc struct {
	ID      string        `bson:"_id"`
	Profile vrrec.Profile `bson:"profile"`
	Visit   vrrec.Visit   `bson:"visit"`
	// Touched is the latest change or visit, which retention reads.
	Touched time.Time `bson:"touched_at"`
}

// Profile implements vrrec.ProfileStore.
func (d *DB) Profile(ctx context.Context, userID string) (vrrec.Profile, vrrec.Visit, error) {
	var doc profileDoc
	err := d.db.Collection(colProfiles).FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return vrrec.Profile{}, vrrec.Visit{}, nil
	}
	if err != nil {
		return vrrec.Profile{}, vrrec.Visit{}, fmt.Errorf("profile: %w", err)
	}
	doc.Profile.UpdatedAt, doc.Visit.At = doc.Profile.UpdatedAt.UTC(), doc.Visit.At.UTC()
	return doc.Profile, doc.Visit, nil
}

// SaveProfile implements vrrec.ProfileStore.
func (d *DB) SaveProfile(ctx context.Context, userID string, p vrrec.Profile) error {
	if !p.Stated() {
		p = vrrec.Profile{}
	}
	p.UpdatedAt = p.UpdatedAt.UTC().Truncate(time.Millisecond)
	if err := d.upsertProfile(ctx, userID, "profile", p, p.UpdatedAt); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// SaveVisit implements vrrec.ProfileStore. The document before the update
// is what the update returns, so two tabs opening at once cannot both see
// the same visit as the last.
func (d *DB) SaveVisit(ctx context.Context, userID string, v vrrec.Visit) (vrrec.Visit, error) {
	v.At = v.At.UTC().Truncate(time.Millisecond)
	if v.Apps == nil {
		v.Apps = []string{}
	}
	c := d.db.Collection(colProfiles)
	var before profileDoc
	err := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: userID}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "visit", Value: v}}},
		{Key: "$max", Value: bson.D{{Key: "touched_at", Value: touchedAt(v.At)}}},
	}, options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		// None yet: insert one; a concurrent first visit that inserted
		// first makes this an update of it.
		if err := d.upsertProfile(ctx, userID, "visit", v, v.At); err != nil {
			return vrrec.Visit{}, fmt.Errorf("save visit: %w", err)
		}
		return vrrec.Visit{}, nil
	case err != nil:
		return vrrec.Visit{}, fmt.Errorf("save visit: %w", err)
	}
	before.Visit.At = before.Visit.At.UTC()
	return before.Visit, nil
}

// upsertProfile sets one field of a student's document, creating it when
// there is none, and moves its touched time forward to at. Update, then
// insert when there was none: FerretDB 1.x answers an upsert on _id with a
// duplicate key error.
func (d *DB) upsertProfile(ctx context.Context, userID, field string, value any, at time.Time) error {
	c := d.db.Collection(colProfiles)
	update := bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: value}}},
		{Key: "$max", Value: bson.D{{Key: "touched_at", Value: touchedAt(at)}}}}
	res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, update)
	if err != nil || res.MatchedCount > 0 {
		return err
	}
	doc := profileDoc{ID: userID, Visit: vrrec.Visit{Apps: []string{}}, Touched: touchedAt(at)}
	if field == "profile" {
		doc.Profile = value.(vrrec.Profile)
	} else {
		doc.Visit = value.(vrrec.Visit)
	}
	_, err = c.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, update)
	}
	return err
}

// touchedAt is when a change or visit happened; now when the caller did
// not say.
func touchedAt(at time.Time) time.Time {
	if at.IsZero() {
		at = time.Now()
	}
	return at.UTC().Truncate(time.Millisecond)
}

// ForgetProfile implements vrrec.ProfileStore.
func (d *DB) ForgetProfile(ctx context.Context, userID string) (int, error) {
	res, err := d.db.Collection(colProfiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: userID}})
	if err != nil {
		return 0, fmt.Errorf("forget profile: %w", err)
	}
	return int(res.DeletedCount), nil
}

// ExpireProfiles implements vrrec.ProfileStore.
func (d *DB) ExpireProfiles(ctx context.Context, before time.Time) (int, error) {
	res, err := d.db.Collection(colProfiles).DeleteMany(ctx, bson.D{{Key: "touched_at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("expire profiles: %w", err)
	}
	return int(res.DeletedCount), nil
}
