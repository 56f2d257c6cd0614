package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

// colRevisions keeps catalog revisions: {_id: version, created_at, saved,
// info, catalog}. The catalog is its JSON text, one field, so a revision of any
// size is one plain value whatever the server.
const colRevisions = "catalog_revisions"

type revisionDoc struct {
	Version   string    `bson:"_id"`
	CreatedAt time.Time `bson:"created_at"`
	// Saved orders revisions made in the same millisecond (or under a
	// frozen clock) as they were saved: the wall clock in nanoseconds.
	Saved   int64          `bson:"saved"`
	Info    vrrec.Revision `bson:"info"`
	Catalog string         `bson:"catalog,omitempty"`
}

// SaveRevision implements vrrec.RevisionStore.
func (d *DB) SaveRevision(ctx context.Context, rev vrrec.Revision, cat *vrrec.Catalog) (vrrec.Revision, bool, error) {
	data, err := json.Marshal(cat)
	if err != nil {
		return vrrec.Revision{}, false, fmt.Errorf("save revision: %w", err)
	}
	rev.CreatedAt = rev.CreatedAt.UTC().Truncate(time.Millisecond)
	rev.PublishedAt = rev.PublishedAt.UTC().Truncate(time.Millisecond)
	doc := revisionDoc{Version: rev.Version, CreatedAt: rev.CreatedAt, Saved: time.Now().UnixNano(), Info: rev, Catalog: string(data)}
	_, err = d.db.Collection(colRevisions).InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		kept, err := d.revision(ctx, rev.Version, false)
		return kept.Info, true, err
	}
	if err != nil {
		return vrrec.Revision{}, false, fmt.Errorf("save revision %s: %w", rev.Version, err)
	}
	return rev, false, nil
}

// Revisions implements vrrec.RevisionStore.
func (d *DB) Revisions(ctx context.Context) ([]vrrec.Revision, error) {
	cur, err := d.db.Collection(colRevisions).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "catalog", Value: 0}}).SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "saved", Value: -1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	var docs []revisionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	out := make([]vrrec.Revision, len(docs))
	for i, doc := range docs {
		out[i] = doc.revision()
	}
	return out, nil
}

// LoadRevision implements vrrec.RevisionStore.
func (d *DB) LoadRevision(ctx context.Context, version string) (*vrrec.Catalog, vrrec.Revision, error) {
	doc, err := d.revision(ctx, version, true)
	if err != nil {
		return nil, vrrec.Revision{}, err
	}
	cat := &vrrec.Catalog{}
	if err := json.Unmarshal([]byte(doc.Catalog), cat); err != nil {
		return nil, vrrec.Revision{}, fmt.Errorf("load revision %s: %w", version, err)
	}
	return cat, doc.revision(), nil
}

// revision reads one kept revision, with its catalog when withCatalog.
func (d *DB) revision(ctx context.Context, version string, withCatalog bool) (revisionDoc, error) {
	opts := options.FindOne()
	if !withCatalog {
		opts.SetProjection(bson.D{{Key: "catalog", Value: 0}})
	}
	var doc revisionDoc
	err := d.db.Collection(colRevisions).FindOne(ctx, bson.D{{Key: "_id", Value: version}}, opts).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return revisionDoc{}, vrrec.Errorf(vrrec.ENOTFOUND, "catalog version %s is not kept", version)
	}
	if err != nil {
		return revisionDoc{}, fmt.Errorf("revision %s: %w", version, err)
	}
	return doc, nil
}

// revision returns the record with its times in UTC, as the other stores
// give them.
func (doc revisionDoc) revision() vrrec.Revision {
	r := doc.Info
	r.CreatedAt = r.CreatedAt.UTC()
	if !r.PublishedAt.IsZero() {
		r.PublishedAt = r.PublishedAt.UTC()
	}
	return r
}

// MarkPublished implements vrrec.RevisionStore.
func (d *DB) MarkPublished(ctx context.Context, version, by string, at time.Time) error {
	res, err := d.db.Collection(colRevisions).UpdateOne(ctx, bson.D{{Key: "_id", Value: version}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "info.published_at", Value: at.UTC().Truncate(time.Millisecond)}, {Key: "info.published_by", Value: by}}}})
	if err != nil {
		return fmt.Errorf("mark %s published: %w", version, err)
	}
	if res.MatchedCount == 0 {
		return vrrec.Errorf(vrrec.ENOTFOUND, "catalog version %s is not kept", version)
	}
	return nil
}

// DeleteRevision implements vrrec.RevisionStore.
func (d *DB) DeleteRevision(ctx context.Context, version string) error {
	if _, err := d.db.Collection(colRevisions).DeleteOne(ctx, bson.D{{Key: "_id", Value: version}}); err != nil {
		return fmt.Errorf("delete revision %s: %w", version, err)
	}
	return nil
}
