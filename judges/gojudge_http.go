package judges

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// cached returns the id on s of the file key names, uploading what open
// reads the first time. A failed upload is not kept: the next case tries
// again.
func (g *goJudge) cached(ctx context.Context, s *gjServer, key programKey, open func() (io.ReadCloser, error)) (string, error) {
	for {
		s.mu.Lock()
		u, ok := s.files[key]
		if !ok {
			u = &gjUpload{done: make(chan struct{})}
			s.files[key] = u
		}
		s.mu.Unlock()
		if !ok {
			u.id, u.err = g.uploadFile(ctx, s, open)
			if u.err != nil {
				s.mu.Lock()
				delete(s.files, key)
				s.mu.Unlock()
			}
			close(u.done)
			return u.id, u.err
		}
		select {
		case <-u.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if u.err == nil {
			return u.id, nil
		}
	}
}

// forget drops the uploads ids from s's cache, and from s where it still
// has them.
func (g *goJudge) forget(s *gjServer, ids ...string) {
	var gone []string
	s.mu.Lock()
	for key, u := range s.files {
		select {
		case <-u.done:
			if u.err == nil && slices.Contains(ids, u.id) {
				delete(s.files, key)
				gone = append(gone, u.id)
			}
		default:
		}
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range gone {
		g.remove(ctx, s, id)
	}
}

func (g *goJudge) uploadFile(ctx context.Context, s *gjServer, open func() (io.ReadCloser, error)) (string, error) {
	f, err := open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	return g.upload(ctx, s, f)
}

// upload sends what r reads to s as a new file and returns its id.
func (g *goJudge) upload(ctx context.Context, s *gjServer, r io.Reader) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		part, err := mw.CreateFormFile("file", "judgebench")
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	defer func() { pr.Close(); <-copied }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/file", pr)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var id string
	if err := g.do(req, &id); err != nil {
		return "", fmt.Errorf("POST /file: %w", err)
	}
	return id, nil
}

// remove deletes the uploaded file id from s, if s still has it.
func (g *goJudge) remove(ctx context.Context, s *gjServer, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.url+"/file/"+url.PathEscape(id), nil)
	if err == nil {
		err = g.do(req, nil)
	}
	if serr := (*gjStatusError)(nil); errors.As(err, &serr) && serr.code == http.StatusNotFound {
		return nil // gone already
	}
	if err != nil {
		return fmt.Errorf("judges: go-judge at %s: DELETE /file/%s: %w", s.url, id, err)
	}
	return nil
}

// run posts c to s and returns its result and the raw result without the
// files' contents.
func (g *goJudge) run(ctx context.Context, s *gjServer, c gjCmd) (res gjResult, raw json.RawMessage, err error) {
	body, err := json.Marshal(struct {
		Cmd []gjCmd `json:"cmd"`
	}{[]gjCmd{c}})
	if err != nil {
		return res, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/run", bytes.NewReader(body))
	if err != nil {
		return res, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var all []json.RawMessage
	if err := g.do(req, &all); err != nil {
		return res, nil, fmt.Errorf("POST /run: %w", err)
	}
	if len(all) != 1 {
		return res, nil, fmt.Errorf("POST /run: %d results for one command", len(all))
	}
	if err := json.Unmarshal(all[0], &res); err != nil {
		return res, nil, fmt.Errorf("POST /run: %w", err)
	}
	raw, err = gjWithoutContents(all[0])
	return res, raw, err
}

// gjWithoutContents is the result object raw with each file's content
// replaced by its length in bytes.
func gjWithoutContents(raw json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	if f, ok := fields["files"]; ok {
		var files map[string]string
		if err := json.Unmarshal(f, &files); err != nil {
			return nil, err
		}
		lengths := map[string]int{}
		for name, content := range files {
			lengths[name] = len(content)
		}
		fields["files"], _ = json.Marshal(lengths)
	}
	return json.Marshal(fields)
}

// get decodes the JSON answer to a GET of u into out.
func (g *goJudge) get(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return g.do(req, out)
}

// do sends req and decodes a 200 answer into out (nil: discard it). Another
// status is an error with go-judge's reason, a JSON string.
func (g *goJudge) do(req *http.Request, out any) error {
	resp, err := g.client.Do(req)
	if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
		err = uerr.Err // without the method and URL, which the caller names
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var reason string
		if json.Unmarshal(body, &reason) != nil {
			reason, _, _ = strings.Cut(strings.TrimSpace(string(body)), "\n")
		}
		if reason == "" {
			reason = http.StatusText(resp.StatusCode)
		}
		return &gjStatusError{resp.StatusCode, reason}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	return nil
}

// gjStatusError is an answer other than 200 OK, with go-judge's reason.
type gjStatusError struct {
	code   int
	reason string
}

func (e *gjStatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.reason) }
