//go:build libreoffice

package graph_test

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"fundhub/graph"
)

// pageObject matches a page object of a PDF, not the page tree (/Pages).
var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestQuarterlyReport_OpensInLibreOffice downloads a workbook and has
// LibreOffice turn it into a PDF with scripts/report-pdf.sh. It needs
// LibreOffice (the script installs it as root), so it runs only with the
// libreoffice build tag: make check-report-pdf.
func TestQuarterlyReport_OpensInLibreOffice(t *testing.T) {
	env := newQuarterlyEnv(t)
	res, book := env.get(t, http.MethodGet, env.finance,
		graph.QuarterlyWorkbookPath+"?region=330000&year=2024&quarter=2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("workbook: %d %s", res.StatusCode, book)
	}
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "330000-2024Q2.xlsx")
	if err := os.WriteFile(xlsx, book, 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command("../scripts/report-pdf.sh", xlsx).CombinedOutput()
	if err != nil {
		t.Fatalf("report-pdf.sh: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "330000-2024Q2.pdf"))
	if err != nil {
		t.Fatalf("no PDF: %v\n%s", err, out)
	}
	// Every sheet prints at least one page.
	pages := len(pageObject.FindAll(pdf, -1))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 5 {
		t.Errorf("not a PDF of the five sheets: %d bytes, %d pages", len(pdf), pages)
	}
	t.Logf("%s: %d bytes, %d pages", filepath.Base(xlsx), len(pdf), pages)
}
