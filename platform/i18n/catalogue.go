package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// locales holds the catalogue files; go:embed needs a package-level
// variable. The web UI imports the same files.
//
//go:embed locales/*.json
var locales embed.FS

// Catalogue is every language's texts by flattened key. It is read-only
// once loaded, so one value serves every request.
type Catalogue struct {
	texts map[Lang]map[string]string
}

// Args fill a text's placeholders by name.
type Args map[string]string

// Load reads and checks the embedded catalogue.
func Load() (*Catalogue, error) {
	return LoadFS(locales)
}

// LoadFS reads locales/<lang>.json for every language from fsys and checks
// them (see the package doc); tests give it broken catalogues.
func LoadFS(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{texts: map[Lang]map[string]string{}}
	for _, l := range Languages() {
		name := "locales/" + string(l) + ".json"
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", name, err)
		}
		texts := map[string]string{}
		if err := flatten(raw, texts); err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", name, err)
		}
		c.texts[l] = texts
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("check catalogue: %w", err)
	}
	return c, nil
}

// flatten decodes a catalogue file: nested objects of strings, keyed by
// the dotted path.
func flatten(raw []byte, out map[string]string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return walk("", tree, out)
}

func walk(prefix string, node map[string]any, out map[string]string) error {
	for k, v := range node {
		if k == "" || strings.Contains(k, ".") {
			return fmt.Errorf("key %q under %q: a key is a non-empty name without dots", k, prefix)
		}
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			out[key] = v
		case map[string]any:
			if err := walk(key, v, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("key %s: a value is a text or an object, got %T", key, v)
		}
	}
	return nil
}

// check holds the catalogue to what both of its readers need: the same keys
// in every language with the same placeholders (a text filled in one
// language fills in all), and no character vue-i18n's message compiler
// reserves (@ linked messages, | plurals, $ and braces outside a placeholder).
func (c *Catalogue) check() error {
	en := c.texts[English]
	for _, l := range Languages() {
		texts := c.texts[l]
		for _, key := range slices.Sorted(maps.Keys(texts)) {
			names, err := placeholders(texts[key])
			if err != nil {
				return fmt.Errorf("%s %s: %w", l, key, err)
			}
			base, ok := en[key]
			if !ok {
				return fmt.Errorf("%s %s: not in %s", l, key, English)
			}
			want, _ := placeholders(base)
			if !slices.Equal(names, want) {
				return fmt.Errorf("%s %s: placeholders %v, %s has %v", l, key, names, English, want)
			}
		}
		for key := range en {
			if _, ok := texts[key]; !ok {
				return fmt.Errorf("%s %s: missing (%s has it)", l, key, English)
			}
		}
	}
	return nil
}

// placeholders returns the sorted, distinct placeholder names of text, or
// an error for a reserved character or a malformed placeholder.
func placeholders(text string) ([]string, error) {
	if i := strings.IndexAny(text, "@|$"); i >= 0 {
		return nil, fmt.Errorf("reserved character %q in %q", text[i], text)
	}
	var names []string
	rest := text
	for {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			break
		}
		if rest[open] == '}' {
			return nil, fmt.Errorf("unmatched } in %q", text)
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] != '}' {
			return nil, fmt.Errorf("unclosed { in %q", text)
		}
		name := rest[open+1 : open+1+end]
		if !validName(name) {
			return nil, fmt.Errorf("placeholder {%s} in %q: a name is lower-case letters and _", name, text)
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		rest = rest[open+1+end+1:]
	}
	slices.Sort(names)
	return names, nil
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r == '_') {
			return false
		}
	}
	return true
}

// In returns the translator for language l (English when the catalogue
// lacks l).
func (c *Catalogue) In(l Lang) Translator {
	if _, ok := c.texts[l]; !ok {
		l = English
	}
	return Translator{cat: c, lang: l}
}

// Keys returns every key, sorted (the same in every language).
func (c *Catalogue) Keys() []string {
	return slices.Sorted(maps.Keys(c.texts[English]))
}

// Translator gives the catalogue's texts in one language.
type Translator struct {
	cat  *Catalogue
	lang Lang
}

// Lang is the translator's language.
func (t Translator) Lang() Lang { return t.lang }

// Has reports whether the catalogue has key.
func (t Translator) Has(key string) bool {
	if t.cat == nil {
		return false
	}
	_, ok := t.cat.texts[t.lang][key]
	return ok
}

// Text returns key's text with its placeholders filled from args, in one
// pass: a value is never read for placeholders itself, so a field name a
// caller chose cannot pull another value in. A placeholder args lacks stays
// as written. A key the catalogue lacks comes back as the key itself, which
// Load's checks and the callers' tests keep from reaching a client.
func (t Translator) Text(key string, args Args) string {
	if t.cat == nil {
		return key
	}
	text, ok := t.cat.texts[t.lang][key]
	if !ok {
		return key
	}
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			break
		}
		name := text[open+1 : open+end]
		v, ok := args[name]
		if !ok {
			v = text[open : open+end+1]
		}
		b.WriteString(text[:open])
		b.WriteString(v)
		text = text[open+end+1:]
	}
	b.WriteString(text)
	return b.String()
}

// Localizer is an answer that carries texts in the caller's language (a
// status's description next to its number): the service behind a door
// answers the numbers, and the door, which knows the caller's language,
// fills the texts in. Localized returns the answer with them filled.
type Localizer interface {
	Localized(t Translator) any
}
