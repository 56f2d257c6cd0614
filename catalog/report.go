package catalog

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/vrrec/vrrec"
)

// ReportPage is one page of a report's problems, with the report's totals.
type ReportPage struct {
	Read     map[string]int `json:"read"`
	Kept     map[string]int `json:"kept"`
	Dropped  int            `json:"dropped"`
	Fixed    int            `json:"fixed"`
	Flagged  int            `json:"flagged"`
	Total    int            `json:"total"`
	Offset   int            `json:"offset"`
	Problems []Problem      `json:"problems"`
}

// Page returns the problems from offset, at most limit of them, with the
// report's totals.
func (r *Report) Page(offset, limit int) any {
	end := min(offset+limit, len(r.Problems))
	start := min(offset, end)
	return ReportPage{Read: r.Read, Kept: r.Kept, Dropped: r.Count(Dropped), Fixed: r.Count(Fixed), Flagged: r.Count(Flagged),
		Total: len(r.Problems), Offset: offset, Problems: append([]Problem{}, r.Problems[start:end]...)}
}

// WriteCSV writes every problem as a CSV row: file, index, id, action,
// reason. Cells from the files cannot start a formula (vrrec.CSVCell).
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"file", "index", "id", "action", "reason"})
	for _, p := range r.Problems {
		_ = cw.Write([]string{vrrec.CSVCell(p.File), strconv.Itoa(p.Index), vrrec.CSVCell(p.ID), p.Action, vrrec.CSVCell(p.Reason)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write the import report: %w", err)
	}
	return nil
}
