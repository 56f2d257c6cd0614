package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"

	"github.com/vrrec/vrrec"
)

// maxFileSize bounds one upstream file; the real ones are under 1 MB.
const maxFileSize = 64 << 20

// ReadDir reads the five upstream files from fsys and validates them. A row
// that is not a JSON object of the right shape is reported as a problem like
// any other bad row. The error is non-nil only when a file is missing, too
// large or not a JSON array at all; then nothing is returned.
func ReadDir(fsys fs.FS) (*vrrec.Catalog, *Report, error) { return readDir(fsys, loadKnown) }

// readDir is ReadDir filling boilerplate rows from known (nil: never).
func readDir(fsys fs.FS, known func() (*vrrec.Catalog, error)) (*vrrec.Catalog, *Report, error) {
	raw, decodeProblems, read, err := readRaw(fsys)
	if err != nil {
		return nil, nil, err
	}
	cat, rep := validate(raw, known)
	// Validate indexes rows among those that decoded; map them back to the
	// row's position in the file so every index points at the real row.
	for i := range rep.Problems {
		rep.Problems[i].Index = fileIndex(decodeProblems, rep.Problems[i].File, rep.Problems[i].Index)
	}
	// Facets cleared while decoding are fixes on rows that were kept.
	var dropped, fixed []Problem
	for _, p := range decodeProblems {
		if p.Action == Dropped {
			dropped = append(dropped, p)
		} else {
			fixed = append(fixed, p)
		}
	}
	rep.Problems = append(append(dropped, fixed...), rep.Problems...)
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		return fileOrder(rep.Problems[i].File) < fileOrder(rep.Problems[j].File)
	})
	rep.Read = read
	return cat, rep, nil
}

// readRaw decodes the five upstream files of fsys, unvalidated: the rows
// that decoded, the rows that did not as problems, and the rows read per
// file.
func readRaw(fsys fs.FS) (*vrrec.Catalog, []Problem, map[string]int, error) {
	raw := &vrrec.Catalog{}
	var decodeProblems []Problem
	read := map[string]int{}
	for _, name := range Files {
		var rows []json.RawMessage
		if err := readArray(fsys, name, &rows); err != nil {
			return nil, nil, nil, err
		}
		read[name] = len(rows)
		for i, row := range rows {
			var err error
			switch name {
			case CoursesFile:
				err = appendRow(row, &raw.Courses)
			case AppsFile:
				var facetProblems []string
				if facetProblems, err = appendApp(row, &raw.Apps); err == nil {
					for _, reason := range facetProblems {
						decodeProblems = append(decodeProblems, Problem{File: name, Index: i, ID: raw.Apps[len(raw.Apps)-1].AppID, Reason: "facets." + reason, Action: Fixed})
					}
				}
			case SkillsFile:
				err = appendRow(row, &raw.Skills)
			case CourseSkillsFile:
				err = appendRow(row, &raw.CourseSkills)
			case AppSkillsFile:
				err = appendRow(row, &raw.AppSkills)
			}
			if err != nil {
				decodeProblems = append(decodeProblems, Problem{File: name, Index: i, Reason: "malformed row: " + err.Error(), Action: Dropped})
			}
		}
	}
	return raw, decodeProblems, read, nil
}

// fileIndex converts an index among decoded rows into the index in the file,
// skipping the rows of that file that failed to decode.
func fileIndex(decodeProblems []Problem, file string, i int) int {
	for _, p := range decodeProblems { // in ascending index order per file
		if p.Action == Dropped && p.File == file && p.Index <= i {
			i++
		}
	}
	return i
}

func fileOrder(name string) int {
	for i, f := range Files {
		if f == name {
			return i
		}
	}
	return len(Files)
}

func readArray(fsys fs.FS, name string, rows *[]json.RawMessage) error {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return vrrec.Errorf(vrrec.EINVALID, "%s is missing", name)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if n > maxFileSize {
		return vrrec.Errorf(vrrec.EINVALID, "%s is larger than %d MB", name, maxFileSize>>20)
	}
	if err := json.Unmarshal(buf.Bytes(), rows); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return vrrec.Errorf(vrrec.EINVALID, "%s: expected a JSON array of objects", name)
		}
		return vrrec.Errorf(vrrec.EINVALID, "%s: invalid JSON: %v", name, err)
	}
	return nil
}

func appendRow[T any](row json.RawMessage, dst *[]T) error {
	var v T
	dec := json.NewDecoder(bytes.NewReader(row))
	if err := dec.Decode(&v); err != nil {
		return err
	}
	*dst = append(*dst, v)
	return nil
}

// appendApp decodes an app row whose facets may hold values the catalog
// does not know: those facets become unknown, with the reasons returned,
// and the rest of the row is kept (vrrec.DecodeFacets).
func appendApp(row json.RawMessage, dst *[]vrrec.VRApp) ([]string, error) {
	var r struct {
		vrrec.VRApp
		Facets json.RawMessage `json:"facets"` // shadows VRApp.Facets
	}
	if err := json.Unmarshal(row, &r); err != nil {
		return nil, err
	}
	var problems []string
	r.VRApp.Facets, problems = vrrec.DecodeFacets(r.Facets)
	*dst = append(*dst, r.VRApp)
	return problems, nil
}
