package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vrrec/vrrec"
)

// Revision states, as staff see them.
const (
	StateLive    = "live"    // what students get
	StateDraft   = "draft"   // never published
	StateEarlier = "earlier" // published once, replaced since: a rollback target
)

// Origins of the revisions History makes itself.
const (
	OriginEmbedded = "embedded default"
	OriginExisting = "in service before versions were kept"
)

// DefaultKeep is how many revisions History keeps when Keep is 0.
const DefaultKeep = 10

// PublishTimeout bounds writing a published catalog into the store.
const PublishTimeout = 5 * time.Minute

// HistoryStore is what History needs of a backend.
type HistoryStore interface {
	vrrec.CatalogStore
	vrrec.RevisionStore
}

// History makes every catalog change a draft that students get only once
// staff publish it, and keeps earlier catalogs to roll back to. The live
// catalog is the store's (CatalogStore); with none stored, the embedded
// default. History holds no state: instances sharing a store share it.
type History struct {
	Store HistoryStore
	// Keep is how many revisions are kept (DefaultKeep when 0, at least
	// 2: the live one and a draft); the live one is never dropped.
	Keep int
	// Now defaults to time.Now.
	Now func() time.Time
}

// Entry is a kept revision and its state.
type Entry struct {
	vrrec.Revision
	State string `json:"state"`
}

// Draft keeps cat as a draft described by rev (its origin, who made it,
// a summary, its quality); Draft fills in the version, time, base and
// counts. A catalog identical to the live one, or to a kept revision,
// makes no new revision: the kept one is returned with existed set.
func (h *History) Draft(ctx context.Context, cat *vrrec.Catalog, rev vrrec.Revision) (_ vrrec.Revision, existed bool, err error) {
	live, err := h.keepLive(ctx)
	if err != nil {
		return vrrec.Revision{}, false, err
	}
	rev.Version, rev.CreatedAt, rev.Base, rev.Counts = Version(cat), h.now(), live, vrrec.CountCatalog(cat)
	rev.PublishedAt, rev.PublishedBy = time.Time{}, ""
	rev, existed, err = h.Store.SaveRevision(ctx, rev, cat)
	if err != nil {
		return vrrec.Revision{}, false, fmt.Errorf("keep the draft: %w", err)
	}
	return rev, existed, h.prune(ctx, live)
}

// Publish makes version what students get; publishing an earlier revision
// is a rollback. It reports whether the live catalog changed. Instances
// notice the new stored version as they do an import.
func (h *History) Publish(ctx context.Context, version, by string) (changed bool, err error) {
	if _, err := h.keepLive(ctx); err != nil {
		return false, err
	}
	cat, _, err := h.Store.LoadRevision(ctx, version)
	if err != nil {
		return false, err
	}
	// Once writing starts it finishes: MongoDB replaces the catalog
	// collection by collection, and a cancel half-way would leave less
	// than either catalog.
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), PublishTimeout)
	defer cancel()
	if changed, err = h.Store.SaveCatalog(saveCtx, cat, version); err != nil {
		return false, fmt.Errorf("publish %s: %w", version, err)
	}
	if err := h.Store.MarkPublished(saveCtx, version, by, h.now()); err != nil {
		return changed, fmt.Errorf("publish %s: %w", version, err)
	}
	return changed, nil
}

// List returns the kept revisions, newest first, with their states, and
// the live version.
func (h *History) List(ctx context.Context) ([]Entry, string, error) {
	live, err := h.liveVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	revs, err := h.Store.Revisions(ctx)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, len(revs))
	for i, r := range revs {
		out[i] = Entry{Revision: r, State: state(r, live)}
	}
	return out, live, nil
}

// Compare returns what version changes against the live catalog, and the
// live version.
func (h *History) Compare(ctx context.Context, version string) (Diff, string, error) {
	to, _, err := h.Store.LoadRevision(ctx, version)
	if err != nil {
		return Diff{}, "", err
	}
	from, live, err := h.Live(ctx)
	if err != nil {
		return Diff{}, "", err
	}
	return Compare(from, to), live, nil
}

// Live returns the catalog students get and its version.
func (h *History) Live(ctx context.Context) (*vrrec.Catalog, string, error) {
	cat, version, err := h.Store.LoadCatalog(ctx)
	if vrrec.ErrorCode(err) == vrrec.ENOTFOUND {
		cat, err = Default()
		if err != nil {
			return nil, "", err
		}
		return cat, Version(cat), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("live catalog: %w", err)
	}
	return cat, version, nil
}

// liveVersion is the version students get: the stored one, or the
// embedded default's.
func (h *History) liveVersion(ctx context.Context) (string, error) {
	v, err := h.Store.CatalogVersion(ctx)
	if err != nil || v != "" {
		return v, err
	}
	def, err := Default()
	if err != nil {
		return "", err
	}
	return Version(def), nil
}

// keepLive makes sure the live catalog is kept as a revision, so staff can
// roll back to it once something else is published. It returns the live
// version.
func (h *History) keepLive(ctx context.Context) (string, error) {
	cat, live, err := h.Live(ctx)
	if err != nil {
		return "", err
	}
	_, _, err = h.Store.LoadRevision(ctx, live)
	if err == nil {
		return live, nil
	}
	if vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		return "", err
	}
	// The embedded default has been in service until now.
	now := h.now()
	rev := vrrec.Revision{Version: live, Origin: OriginEmbedded, CreatedBy: "vrrec", CreatedAt: now, PublishedAt: now,
		PublishedBy: "vrrec", Counts: vrrec.CountCatalog(cat)}
	if stored, err := h.Store.CatalogVersion(ctx); err != nil {
		return "", err
	} else if stored != "" {
		at, err := h.Store.CatalogSavedAt(ctx)
		if err != nil {
			return "", err
		}
		rev.Origin, rev.CreatedAt, rev.PublishedAt = OriginExisting, at, at
		rev.PublishedBy = ""
	}
	if _, _, err := h.Store.SaveRevision(ctx, rev, cat); err != nil {
		return "", fmt.Errorf("keep the live catalog: %w", err)
	}
	return live, nil
}

// prune drops the revisions beyond Keep, least recently made or published
// first, never the live one.
func (h *History) prune(ctx context.Context, live string) error {
	revs, err := h.Store.Revisions(ctx)
	if err != nil {
		return err
	}
	keep := max(cmp.Or(h.Keep, DefaultKeep), 2)
	lastUsed := func(r vrrec.Revision) time.Time {
		if r.PublishedAt.After(r.CreatedAt) {
			return r.PublishedAt
		}
		return r.CreatedAt
	}
	slices.SortStableFunc(revs, func(a, b vrrec.Revision) int { return lastUsed(b).Compare(lastUsed(a)) })
	var errs []error
	kept := 1 // the live one's place, wherever it sorts
	for _, r := range revs {
		switch {
		case r.Version == live:
		case kept < keep:
			kept++
		default:
			errs = append(errs, h.Store.DeleteRevision(ctx, r.Version))
		}
	}
	return errors.Join(errs...)
}

func (h *History) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// state names a revision's state given the live version.
func state(r vrrec.Revision, live string) string {
	switch {
	case r.Version == live:
		return StateLive
	case r.PublishedAt.IsZero():
		return StateDraft
	default:
		return StateEarlier
	}
}
