package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vrrec/vrrec"
)

const (
	// colStaff keeps staff accounts: {_id: id, email, ...}.
	colStaff = "staff"
	// colStaffEmails claims an email for one account, {_id: email,
	// staff_id}: a duplicate _id is refused on every server, where a
	// unique index on another field may not be.
	colStaffEmails = "staff_emails"
	// colStaffSignIns keeps each account's last sign-in, {_id: id, at}, a
	// side document so a sign-in never rewrites the account (FerretDB 1.x
	// rewrites a whole document on update, and a role change or disabling
	// made at the same moment would be lost).
	colStaffSignIns = "staff_sign_ins"
)

type staffDoc struct {
	ID                string    `bson:"_id"`
	Email             string    `bson:"email"`
	Name              string    `bson:"name"`
	Role              string    `bson:"role"`
	PasswordHash      string    `bson:"password_hash"`
	SSO               bool      `bson:"sso"`
	CreatedAt         time.Time `bson:"created_at"`
	Disabled          bool      `bson:"disabled"`
	SessionsNotBefore int64     `bson:"sessions_not_before"` // unix nanoseconds, 0 for none
}

// AddStaff implements vrrec.StaffStore.
func (d *DB) AddStaff(ctx context.Context, m vrrec.StaffMember) error {
	taken := vrrec.Errorf(vrrec.ECONFLICT, "A staff account for %s already exists", m.Email)
	_, err := d.db.Collection(colStaffEmails).InsertOne(ctx, bson.D{{Key: "_id", Value: m.Email}, {Key: "staff_id", Value: m.ID}})
	if mongo.IsDuplicateKeyError(err) {
		return taken
	}
	if err != nil {
		return fmt.Errorf("add staff: %w", err)
	}
	doc := staffDoc{ID: m.ID, Email: m.Email, Name: m.Name, Role: string(m.Role), PasswordHash: m.PasswordHash, SSO: m.SSO,
		CreatedAt: m.CreatedAt.UTC().Truncate(time.Millisecond), Disabled: m.Disabled, SessionsNotBefore: nanos(m.SessionsNotBefore)}
	if _, err := d.db.Collection(colStaff).InsertOne(ctx, doc); err != nil {
		_, _ = d.db.Collection(colStaffEmails).DeleteOne(ctx, bson.D{{Key: "_id", Value: m.Email}})
		if mongo.IsDuplicateKeyError(err) {
			return taken
		}
		return fmt.Errorf("add staff: %w", err)
	}
	if !m.LastSignIn.IsZero() {
		return d.setSignIn(ctx, m.ID, m.LastSignIn)
	}
	return nil
}

// StaffMember implements vrrec.StaffStore.
func (d *DB) StaffMember(ctx context.Context, id string) (vrrec.StaffMember, error) {
	return d.oneStaff(ctx, bson.D{{Key: "_id", Value: id}}, id)
}

// StaffByEmail implements vrrec.StaffStore.
func (d *DB) StaffByEmail(ctx context.Context, email string) (vrrec.StaffMember, error) {
	return d.oneStaff(ctx, bson.D{{Key: "email", Value: email}}, email)
}

func (d *DB) oneStaff(ctx context.Context, filter bson.D, name string) (vrrec.StaffMember, error) {
	var doc staffDoc
	err := d.db.Collection(colStaff).FindOne(ctx, filter).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return vrrec.StaffMember{}, vrrec.Errorf(vrrec.ENOTFOUND, "No staff account %s", name)
	}
	if err != nil {
		return vrrec.StaffMember{}, fmt.Errorf("staff: %w", err)
	}
	signIns, err := d.signIns(ctx, bson.D{{Key: "_id", Value: doc.ID}})
	if err != nil {
		return vrrec.StaffMember{}, err
	}
	return doc.member(signIns[doc.ID]), nil
}

// StaffMembers implements vrrec.StaffStore.
func (d *DB) StaffMembers(ctx context.Context) ([]vrrec.StaffMember, error) {
	cur, err := d.db.Collection(colStaff).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	var docs []staffDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	signIns, err := d.signIns(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	out := make([]vrrec.StaffMember, len(docs))
	for i, doc := range docs {
		out[i] = doc.member(signIns[doc.ID])
	}
	slices.SortFunc(out, func(a, b vrrec.StaffMember) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// UpdateStaff implements vrrec.StaffStore.
func (d *DB) UpdateStaff(ctx context.Context, id string, u vrrec.StaffUpdate) (vrrec.StaffMember, error) {
	set := bson.D{}
	if u.Name != nil {
		set = append(set, bson.E{Key: "name", Value: *u.Name})
	}
	if u.Role != nil {
		set = append(set, bson.E{Key: "role", Value: string(*u.Role)})
	}
	if u.Disabled != nil {
		set = append(set, bson.E{Key: "disabled", Value: *u.Disabled})
	}
	if u.PasswordHash != nil {
		set = append(set, bson.E{Key: "password_hash", Value: *u.PasswordHash})
	}
	if u.SessionsNotBefore != nil {
		set = append(set, bson.E{Key: "sessions_not_before", Value: nanos(*u.SessionsNotBefore)})
	}
	if len(set) > 0 {
		res, err := d.db.Collection(colStaff).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return vrrec.StaffMember{}, fmt.Errorf("update staff: %w", err)
		}
		if res.MatchedCount == 0 {
			return vrrec.StaffMember{}, vrrec.Errorf(vrrec.ENOTFOUND, "No staff account %s", id)
		}
	}
	if u.LastSignIn != nil {
		if _, err := d.StaffMember(ctx, id); err != nil {
			return vrrec.StaffMember{}, err
		}
		if err := d.setSignIn(ctx, id, *u.LastSignIn); err != nil {
			return vrrec.StaffMember{}, err
		}
	}
	return d.StaffMember(ctx, id)
}

func (d *DB) setSignIn(ctx context.Context, id string, at time.Time) error {
	_, err := d.db.Collection(colStaffSignIns).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "_id", Value: id}, {Key: "at", Value: nanos(at)}}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("staff sign-in: %w", err)
	}
	return nil
}

func (d *DB) signIns(ctx context.Context, filter bson.D) (map[string]time.Time, error) {
	cur, err := d.db.Collection(colStaffSignIns).Find(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("staff sign-ins: %w", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
		At int64  `bson:"at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("staff sign-ins: %w", err)
	}
	out := make(map[string]time.Time, len(docs))
	for _, doc := range docs {
		out[doc.ID] = fromNanos(doc.At)
	}
	return out, nil
}

func (doc staffDoc) member(lastSignIn time.Time) vrrec.StaffMember {
	return vrrec.StaffMember{ID: doc.ID, Email: doc.Email, Name: doc.Name, Role: vrrec.Role(doc.Role), PasswordHash: doc.PasswordHash,
		SSO: doc.SSO, CreatedAt: doc.CreatedAt.UTC(), LastSignIn: lastSignIn, Disabled: doc.Disabled, SessionsNotBefore: fromNanos(doc.SessionsNotBefore)}
}

// nanos stores a time at full precision; the zero time is 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
