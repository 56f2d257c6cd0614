package testenv

import (
	"context"
	"testing"

	"github.com/vrrec/vrrec/mongo"
)

// MongoDB connects to a fresh database on a MongoDB-wire server
// (StartMongo), closed when the test ends.
func MongoDB(tb testing.TB) *mongo.DB {
	tb.Helper()
	srv := StartMongo(tb)
	db, err := mongo.Open(context.Background(), srv.URI, srv.Database)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
