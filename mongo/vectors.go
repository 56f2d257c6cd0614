package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// vectorDoc is one stored embedding; _id is model and key.
type vectorDoc struct {
	ID    string `bson:"_id"`
	Model string `bson:"model"`
	Key   string `bson:"key"`
	Vec   []byte `bson:"vec"` // little-endian float32
}

func vectorID(model, key string) string { return model + "/" + key }

// vectorBatch bounds the ids of one query.
const vectorBatch = 1000

// Vectors implements vrrec.VectorStore.
func (d *DB) Vectors(ctx context.Context, model string, keys []string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(keys))
	c := d.db.Collection(colVectors)
	for start := 0; start < len(keys); start += vectorBatch {
		batch := keys[start:min(start+vectorBatch, len(keys))]
		ids := make(bson.A, len(batch))
		for i, k := range batch {
			ids[i] = vectorID(model, k)
		}
		cur, err := c.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return nil, fmt.Errorf("vectors: %w", err)
		}
		var docs []vectorDoc
		if err := cur.All(ctx, &docs); err != nil {
			return nil, fmt.Errorf("vectors: %w", err)
		}
		for _, doc := range docs {
			v, err := embedding.DecodeVector(doc.Vec)
			if err != nil {
				return nil, fmt.Errorf("vectors: %s: %w", doc.Key, err)
			}
			out[doc.Key] = v
		}
	}
	return out, nil
}

// SaveVectors implements vrrec.VectorStore: new vectors are inserted in
// bulk; those already stored are replaced one by one.
func (d *DB) SaveVectors(ctx context.Context, model string, vecs map[string][]float32) error {
	c := d.db.Collection(colVectors)
	docs := make([]any, 0, len(vecs))
	for k, v := range vecs {
		docs = append(docs, vectorDoc{vectorID(model, k), model, k, embedding.EncodeVector(v)})
	}
	for start := 0; start < len(docs); start += vectorBatch {
		batch := docs[start:min(start+vectorBatch, len(docs))]
		_, err := c.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
		var bulk mongo.BulkWriteException
		if errors.As(err, &bulk) && bulk.WriteConcernError == nil {
			for _, we := range bulk.WriteErrors {
				if we.Code != 11000 {
					return fmt.Errorf("save vectors: %w", err)
				}
				doc := batch[we.Index].(vectorDoc)
				if err := put(ctx, c, doc.ID, bson.D{{Key: "_id", Value: doc.ID}, {Key: "model", Value: doc.Model},
					{Key: "key", Value: doc.Key}, {Key: "vec", Value: doc.Vec}}); err != nil {
					return fmt.Errorf("save vectors: %w", err)
				}
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("save vectors: %w", err)
		}
	}
	return nil
}

var _ vrrec.VectorStore = (*DB)(nil)
