// Package mongo is vrrec's scale-out database, MongoDB through the official
// Go driver (v2): the catalog, interaction log, sessions and config, in the
// collections the old system used. It sticks to operations FerretDB also
// supports (no transactions, no $addToSet in $group, no date operators), so
// a MongoDB-wire server of either kind works.
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

// Collection names.
const (
	colCourses      = "courses"
	colApps         = "vr_apps"
	colSkills       = "skills"
	colCourseSkills = "course_skills"
	colAppSkills    = "app_skills"
	colMeta         = "catalog_meta"
	colLogs         = "interaction_logs"
	colMessages     = "chat_messages"
	colConfig       = "config"
	colVectors      = "vectors"
)

// DB is a connected database, safe for concurrent use.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
}

var _ vrrec.Store = (*DB)(nil)

// Open connects to uri (pool 10-50, server selection 5 s) and creates the
// indexes. A server that is down at start is not an error: the indexes are
// created in the background once it answers, and every call meanwhile
// fails with the driver's error, as it would mid-run.
func Open(ctx context.Context, uri, database string) (*DB, error) {
	opts := options.Client().ApplyURI(uri).
		// The domain types carry JSON tags with the old system's field names.
		SetBSONOptions(&options.BSONOptions{UseJSONStructTags: true}).
		SetMinPoolSize(10).SetMaxPoolSize(50).
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second)
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("mongodb: %w", err)
	}
	d := &DB{client: client, db: client.Database(database)}
	if err := d.ensureIndexes(ctx); err != nil {
		go d.retryIndexes()
	}
	return d, nil
}

func (d *DB) retryIndexes() {
	for {
		time.Sleep(5 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := d.ensureIndexes(ctx)
		cancel()
		if err == nil || errors.Is(err, mongo.ErrClientDisconnected) {
			return
		}
	}
}

// Close disconnects.
func (d *DB) Close() error { return d.client.Disconnect(context.Background()) }

// Ping checks the server answers.
func (d *DB) Ping(ctx context.Context) error { return d.client.Ping(ctx, nil) }

func (d *DB) ensureIndexes(ctx context.Context) error {
	idx := map[string][]bson.D{
		colLogs: {{{Key: "user_id", Value: 1}, {Key: "ts", Value: -1}}, {{Key: "ts", Value: -1}}, {{Key: "intent", Value: 1}},
			{{Key: "fold", Value: 1}},                            // rows a summarising run took (privacy.go)
			{{Key: "course", Value: 1}, {Key: "ts", Value: -1}}}, // answers by course
		colMessages:     {{{Key: "user_id", Value: 1}, {Key: "session_id", Value: 1}, {Key: "ts", Value: 1}}, {{Key: "user_id", Value: 1}, {Key: "ts", Value: -1}}},
		colCourseSkills: {{{Key: "source_id", Value: 1}}, {{Key: "skill_name", Value: 1}}},
		colAppSkills:    {{{Key: "source_id", Value: 1}}, {{Key: "skill_name", Value: 1}}},
		colApps:         {{{Key: "category", Value: 1}}},
		colCourses:      {{{Key: "department", Value: 1}}},
		colJobs:         {{{Key: "started_at", Value: -1}}},
		colJobLogs:      {{{Key: "job_id", Value: 1}, {Key: "ts", Value: -1}}},
		colAudit:        {{{Key: "ts", Value: -1}}, {{Key: "actor", Value: 1}, {Key: "ts", Value: -1}}, {{Key: "action", Value: 1}, {Key: "ts", Value: -1}}},
		colRevisions:    {{{Key: "created_at", Value: -1}}},
		colFeedback:     {{{Key: "ts", Value: 1}}, {{Key: "interaction_id", Value: 1}}, {{Key: "user_id", Value: 1}}},
		colLLMSpend:     {{{Key: "day", Value: 1}}},
		colLabeled:      {{{Key: "created_at", Value: 1}}},
		colStaff:        {{{Key: "email", Value: 1}}},
		colProfiles:     {{{Key: "touched_at", Value: 1}}},
	}
	for col, keys := range idx {
		models := make([]mongo.IndexModel, len(keys))
		for i, k := range keys {
			models[i] = mongo.IndexModel{Keys: k}
		}
		if _, err := d.db.Collection(col).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("mongodb: indexes of %s: %w", col, err)
		}
	}
	return nil
}

// SaveCatalog implements vrrec.CatalogStore. Without transactions the data
// is replaced first and the version written last, so a reader that sees the
// new version sees the new data (LoadCatalog re-reads on a change).
func (d *DB) SaveCatalog(ctx context.Context, cat *vrrec.Catalog, version string) (bool, error) {
	if current, err := d.CatalogVersion(ctx); err != nil {
		return false, err
	} else if current == version {
		return false, nil
	}
	// Readers that find "importing" know the catalog is being replaced
	// (or a replace failed half-way) rather than absent.
	if err := d.setMeta(ctx, "", true); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	err := errors.Join(
		replace(ctx, d.db.Collection(colCourses), cat.Courses),
		replace(ctx, d.db.Collection(colApps), cat.Apps),
		replace(ctx, d.db.Collection(colSkills), cat.Skills),
		replace(ctx, d.db.Collection(colCourseSkills), cat.CourseSkills),
		replace(ctx, d.db.Collection(colAppSkills), cat.AppSkills),
	)
	if err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	if err := d.setMeta(ctx, version, false); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	return true, nil
}

// setMeta writes the catalog's meta document.
func (d *DB) setMeta(ctx context.Context, version string, importing bool) error {
	return put(ctx, d.db.Collection(colMeta), "catalog", bson.D{{Key: "_id", Value: "catalog"}, {Key: "version", Value: version},
		{Key: "importing", Value: importing}, {Key: "updated_at", Value: time.Now().UTC()}})
}

// put writes the document with _id id, created or replaced. Replace, then
// insert when there was none: FerretDB 1.x answers an upsert on _id with a
// duplicate key error.
func put(ctx context.Context, c *mongo.Collection, id string, doc bson.D) error {
	res, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc)
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		if _, err := c.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
			return err
		} else if err != nil { // another writer inserted it first
			_, err = c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc)
			return err
		}
	}
	return nil
}

// positioned keeps a row's place in the catalog.
type positioned[T any] struct {
	Pos int `bson:"pos"`
	Row T   `bson:",inline"`
}

// replace empties a collection and bulk-inserts rows in batches, keeping
// their order in a pos field.
func replace[T any](ctx context.Context, c *mongo.Collection, rows []T) error {
	if _, err := c.DeleteMany(ctx, bson.D{}); err != nil {
		return err
	}
	const batch = 1000
	for start := 0; start < len(rows); start += batch {
		docs := make([]any, 0, batch)
		for i := start; i < min(start+batch, len(rows)); i++ {
			docs = append(docs, positioned[T]{Pos: i, Row: rows[i]})
		}
		if _, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("insert into %s: %w", c.Name(), err)
		}
	}
	return nil
}

// CatalogVersion implements vrrec.CatalogStore.
func (d *DB) CatalogVersion(ctx context.Context) (string, error) {
	v, _, err := d.meta(ctx)
	return v, err
}

// CatalogSavedAt implements vrrec.CatalogStore.
func (d *DB) CatalogSavedAt(ctx context.Context) (time.Time, error) {
	var meta struct {
		Version   string    `bson:"version"`
		UpdatedAt time.Time `bson:"updated_at"`
	}
	err := d.db.Collection(colMeta).FindOne(ctx, bson.D{{Key: "_id", Value: "catalog"}}).Decode(&meta)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && meta.Version == "") {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("catalog saved at: %w", err)
	}
	return meta.UpdatedAt.UTC(), nil
}

// meta returns the stored version and whether an import is replacing it.
func (d *DB) meta(ctx context.Context) (string, bool, error) {
	var meta struct {
		Version   string `bson:"version"`
		Importing bool   `bson:"importing"`
	}
	err := d.db.Collection(colMeta).FindOne(ctx, bson.D{{Key: "_id", Value: "catalog"}}).Decode(&meta)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("catalog version: %w", err)
	}
	return meta.Version, meta.Importing, nil
}

// LoadCatalog implements vrrec.CatalogStore.
func (d *DB) LoadCatalog(ctx context.Context) (*vrrec.Catalog, string, error) {
	for attempt := 0; attempt < 3; attempt++ {
		version, importing, err := d.meta(ctx)
		if err != nil {
			return nil, "", err
		}
		if importing {
			return nil, "", vrrec.Errorf(vrrec.EUNAVAILABLE, "a catalog import is in progress or was cut off; import again if it persists")
		}
		if version == "" {
			return nil, "", vrrec.Errorf(vrrec.ENOTFOUND, "no catalog has been imported")
		}
		cat := &vrrec.Catalog{}
		err = errors.Join(
			load(ctx, d.db.Collection(colCourses), &cat.Courses),
			load(ctx, d.db.Collection(colApps), &cat.Apps),
			load(ctx, d.db.Collection(colSkills), &cat.Skills),
			load(ctx, d.db.Collection(colCourseSkills), &cat.CourseSkills),
			load(ctx, d.db.Collection(colAppSkills), &cat.AppSkills),
		)
		if err != nil {
			return nil, "", fmt.Errorf("load catalog: %w", err)
		}
		if again, err := d.CatalogVersion(ctx); err == nil && again == version {
			return cat, version, nil
		}
		// An import ran while we read: read again.
	}
	return nil, "", vrrec.Errorf(vrrec.EUNAVAILABLE, "the catalog kept changing while it was read")
}

func load[T any](ctx context.Context, c *mongo.Collection, dst *[]T) error {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "pos", Value: 1}}))
	if err != nil {
		return err
	}
	var rows []positioned[T]
	if err := cur.All(ctx, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		*dst = append(*dst, r.Row)
	}
	return nil
}
