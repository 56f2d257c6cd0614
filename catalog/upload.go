package catalog

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// ReadUploads reads uploaded upstream files over base: each upload replaces
// the file of the same name (courses.json, or courses.csv for the same rows
// as CSV) and the files not uploaded come from base, so staff can send just
// the courses. Problems name the uploaded file and index its rows from 0
// (for CSV, the data rows after the header). The error is non-nil, and
// nothing is returned, when an upload has an unknown name, is not a JSON
// array or readable CSV, or is too large.
func ReadUploads(base *vrrec.Catalog, uploads map[string][]byte) (*vrrec.Catalog, *Report, error) {
	if len(uploads) == 0 {
		return nil, nil, vrrec.Errorf(vrrec.EINVALID, "no files uploaded; send %s (as .json or .csv)", strings.Join(Files, ", "))
	}
	encoded, err := Encode(base)
	if err != nil {
		return nil, nil, err
	}
	files := memFS{}
	for name, b := range encoded {
		files[name] = b
	}
	uploadedAs := map[string]string{}
	for name, data := range uploads {
		base := path.Base(strings.ReplaceAll(name, `\`, "/"))
		ext := path.Ext(base)
		target := strings.TrimSuffix(base, ext) + ".json"
		if !slices.Contains(Files, target) || (ext != ".json" && ext != ".csv") {
			return nil, nil, vrrec.Errorf(vrrec.EINVALID, "%q is not a catalog file; name uploads %s, or the same with .csv", name, strings.Join(Files, ", "))
		}
		if prev, dup := uploadedAs[target]; dup {
			return nil, nil, vrrec.Errorf(vrrec.EINVALID, "%q and %q hold the same rows; upload one of them", prev, base)
		}
		if len(data) > maxFileSize {
			return nil, nil, vrrec.Errorf(vrrec.EINVALID, "%s is larger than %d MB", base, maxFileSize>>20)
		}
		if ext == ".csv" {
			if data, err = csvToJSON(target, data); err != nil {
				return nil, nil, vrrec.Errorf(vrrec.EINVALID, "%s: %v", base, err)
			}
		}
		files[target] = data
		uploadedAs[target] = base
	}
	cat, rep, err := ReadDir(files)
	if err != nil {
		for target, name := range uploadedAs {
			err = errors.New(strings.ReplaceAll(err.Error(), target, name))
		}
		return nil, nil, vrrec.Errorf(vrrec.EINVALID, "%v", err)
	}
	for i, p := range rep.Problems {
		if name, ok := uploadedAs[p.File]; ok {
			rep.Problems[i].File = name
		}
	}
	for target, name := range uploadedAs {
		if name != target {
			rep.Read[name], rep.Kept[name] = rep.Read[target], rep.Kept[target]
			delete(rep.Read, target)
			delete(rep.Kept, target)
		}
	}
	return cat, rep, nil
}

// Encode renders a catalog as the five upstream files, indented JSON
// arrays (never null), as `vrrec extract-skills` writes them and
// ReadDir reads them.
func Encode(cat *vrrec.Catalog) (map[string][]byte, error) {
	files := map[string][]byte{}
	for name, rows := range map[string]any{
		CoursesFile: nonNilRows(cat.Courses), AppsFile: nonNilRows(cat.Apps), SkillsFile: nonNilRows(cat.Skills),
		CourseSkillsFile: nonNilRows(cat.CourseSkills), AppSkillsFile: nonNilRows(cat.AppSkills),
	} {
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		files[name] = append(b, '\n')
	}
	return files, nil
}

func nonNilRows[T any](rows []T) []T {
	if rows == nil {
		return []T{}
	}
	return rows
}

// rowTypes are the row shapes of the upstream files.
var rowTypes = map[string]reflect.Type{
	CoursesFile:      reflect.TypeFor[vrrec.Course](),
	AppsFile:         reflect.TypeFor[vrrec.VRApp](),
	SkillsFile:       reflect.TypeFor[vrrec.Skill](),
	CourseSkillsFile: reflect.TypeFor[vrrec.Mapping](),
	AppSkillsFile:    reflect.TypeFor[vrrec.Mapping](),
}

// ListSeparator splits list cells (prerequisites, features, aliases) in CSV.
const ListSeparator = ";"

// csvToJSON turns CSV whose header names the upstream JSON fields into the
// upstream JSON array, one element per data row, so row numbers survive.
// List fields are split on ListSeparator; a number that does not parse is
// kept as text, so the row is reported as malformed rather than guessed.
func csvToJSON(file string, data []byte) ([]byte, error) {
	kinds := map[string]reflect.Kind{}
	t := rowTypes[file]
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		kinds[name] = t.Field(i).Type.Kind()
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))) // Excel writes a BOM
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return []byte("[]"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	rows := []map[string]any{}
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err // csv.ParseError names the line
		}
		row := map[string]any{}
		for i, cell := range record {
			if i >= len(header) || header[i] == "" {
				continue
			}
			row[header[i]] = csvValue(kinds[header[i]], strings.TrimSpace(cell))
		}
		rows = append(rows, row)
	}
	return json.Marshal(rows)
}

func csvValue(kind reflect.Kind, cell string) any {
	switch kind {
	case reflect.Slice:
		items := []string{}
		for item := range strings.SplitSeq(cell, ListSeparator) {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		return items
	case reflect.Struct: // price and facets: their JSON object, or text
		if strings.HasPrefix(cell, "{") && json.Valid([]byte(cell)) {
			return json.RawMessage(cell)
		}
	case reflect.Float64, reflect.Int:
		if cell == "" {
			return 0
		}
		if f, err := strconv.ParseFloat(cell, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
	return cell
}

// memFS serves files held in memory, by name: the catalog as it stands
// with the uploads laid over it.
type memFS map[string][]byte

func (m memFS) Open(name string) (fs.File, error) {
	b, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{Reader: bytes.NewReader(b), name: name}, nil
}

// memFile is an open memFS file, its own fs.FileInfo.
type memFile struct {
	*bytes.Reader
	name string
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Name() string               { return f.name }
func (f *memFile) Mode() fs.FileMode          { return 0o444 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }
