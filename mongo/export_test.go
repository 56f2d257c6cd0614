package mongo

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vrrec/vrrec"
)

// LeaveJobLockForTest puts back a lock naming jobID, as a crash between a
// job's last two writes would leave it.
func (d *DB) LeaveJobLockForTest(ctx context.Context, jobID string) error {
	_, err := d.db.Collection(colJobLock).InsertOne(ctx, bson.D{{Key: "_id", Value: "running"}, {Key: "job_id", Value: jobID}})
	return err
}

// LeaveFoldForTest tags the interactions ids with fold, and with summarized
// adds them to their days' summaries under it, as a summarising run cut
// off after its first or second step leaves them.
func (d *DB) LeaveFoldForTest(ctx context.Context, fold string, summarized bool, ids ...string) error {
	if _, err := d.db.Collection(colLogs).UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "fold", Value: fold}}}}); err != nil {
		return err
	}
	if !summarized {
		return nil
	}
	page, _, err := d.Interactions(ctx, vrrec.InteractionFilter{Limit: 1000})
	if err != nil {
		return err
	}
	var tagged []vrrec.Interaction
	for _, it := range page {
		if slices.Contains(ids, it.ID) {
			tagged = append(tagged, it)
		}
	}
	for _, add := range vrrec.SummarizeDays(tagged) {
		if err := d.addToDay(ctx, add, fold); err != nil {
			return err
		}
	}
	return nil
}
