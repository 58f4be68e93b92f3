package graph

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"fundhub"
	"fundhub/authz"
)

// InspectionExportPath is where an inspection's findings download as CSV.
const InspectionExportPath = "/exports/inspection-findings.csv"

// InspectionExport serves the findings of one inspection (?run=ID) as CSV,
// to a caller with a bearer token, within the caller's scope, streamed in
// batches: a national inspection is never held in memory whole.
func InspectionExport(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		c := d.signedIn(w, r, "GET "+r.URL.RequestURI())
		if c == nil {
			return
		}

		id, err := strconv.ParseInt(r.URL.Query().Get("run"), 10, 64)
		s := d.Policy.Scope(authz.UserOf(c), authz.ActionRead)
		if err == nil {
			_, err = d.Store.FindInspectionRun(r.Context(), s, id)
		}
		if err != nil {
			http.Error(w, "no such inspection", http.StatusNotFound)
			return
		}
		writeFindings(w, r, d, s, id)
	})
}

func writeFindings(w http.ResponseWriter, r *http.Request, d Deps, s fundhub.Scope,
	id int64) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition",
		fmt.Sprintf(`attachment; filename="inspection-%d-findings.csv"`, id))
	out := csv.NewWriter(w)
	_ = out.Write([]string{"check", "severity", "region", "allocation", "project",
		"payment", "report", "target", "detail"})

	err := d.Store.EachInspectionFinding(r.Context(), s, id,
		func(f *fundhub.InspectionFinding) error {
			return out.Write([]string{f.Check, f.Severity, f.RegionCode, idText(f.AllocationID),
				idText(f.ProjectID), idText(f.PaymentID), idText(f.ReportID),
				idText(f.TargetID), f.Detail})
		})
	out.Flush()
	if err != nil {
		d.Logger.ErrorContext(r.Context(), "exporting inspection findings", "run", id,
			"err", err)
	}
}

func idText(id *int64) string {
	if id == nil {
		return ""
	}

	return strconv.FormatInt(*id, 10)
}
