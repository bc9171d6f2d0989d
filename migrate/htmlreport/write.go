package htmlreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"path/filepath"

	"github.com/chatmigrate/chatmigrate/migrate/internal/atomicfile"
)

//go:embed report.html.tmpl
var pageSource string

// Render writes the page for d into a buffer. html/template escapes every value by where it
// lands (text, attribute, URL), so that names and messages from the input cannot become markup.
func Render(d Data) ([]byte, error) {
	t, err := template.New("report").Funcs(template.FuncMap{"num": num}).Parse(pageSource)
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, newView(d)); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return buf.Bytes(), nil
}

// Write renders d as dir/report.html, atomically: a browser that reloads the page while a
// run rewrites it sees the old page or the new one, never half of one.
func Write(dir string, d Data) error {
	b, err := Render(d)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteData(filepath.Join(dir, FileName), b); err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	return nil
}
