package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// LeaveJobLockForTest puts back a lock naming jobID, as a crash between a
// job's last two writes would leave it.
func (d *DB) LeaveJobLockForTest(ctx context.Context, jobID string) error {
	_, err := d.db.Collection(colJobLock).InsertOne(ctx, bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: jobID}})
	return err
}
