package htmlreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
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
	return writeAtomic(filepath.Join(dir, FileName), b)
}

// writeAtomic writes data to path through a synced temporary file in the same directory and a
// rename.
func writeAtomic(path string, data []byte) error {
	name := filepath.Base(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+name+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	werr := tmp.Chmod(0o644)    // CreateTemp makes it 0600: a report is to be read
	if werr == nil {
		_, werr = tmp.Write(data)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		return fmt.Errorf("write %s: %w", name, werr)
	}
	return nil
}
