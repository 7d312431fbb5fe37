package scclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// AuthEngine stores signed auth tokens by name between connections. The
// socket loads the token before every handshake, saves it whenever the
// server gives it one and removes it on deauthentication. Implementations
// must be safe for concurrent use.
type AuthEngine interface {
	// SaveToken stores token under name.
	SaveToken(ctx context.Context, name, token string) error
	// RemoveToken deletes the token stored under name and returns the
	// previous one ("" when there was none).
	RemoveToken(ctx context.Context, name string) (string, error)
	// LoadToken returns the token stored under name, or "" when there is
	// none.
	LoadToken(ctx context.Context, name string) (string, error)
}

// MemoryAuthEngine keeps tokens in memory. A socket gets its own by
// default; share one between sockets to share their tokens.
type MemoryAuthEngine struct {
	mu     sync.Mutex
	tokens map[string]string
}

// NewMemoryAuthEngine returns an empty in-memory engine.
func NewMemoryAuthEngine() *MemoryAuthEngine {
	return &MemoryAuthEngine{} // the map is made by the first SaveToken
}

// SaveToken stores token under name.
func (m *MemoryAuthEngine) SaveToken(_ context.Context, name, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[string]string{}
	}
	m.tokens[name] = token
	return nil
}

// RemoveToken deletes the token under name and returns it.
func (m *MemoryAuthEngine) RemoveToken(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.tokens[name]
	delete(m.tokens, name)
	return old, nil
}

// LoadToken returns the token under name, or "".
func (m *MemoryAuthEngine) LoadToken(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokens[name], nil
}

// FileAuthEngine keeps tokens in a JSON file so that a bot stays logged in
// across restarts. The file is written atomically (a temporary file renamed
// over it) with mode 0600, and a file that other users can read is refused.
type FileAuthEngine struct {
	path string
	mu   sync.Mutex
}

// NewFileAuthEngine returns an engine backed by the file at path. The file
// need not exist yet; its directory must.
func NewFileAuthEngine(path string) *FileAuthEngine {
	return &FileAuthEngine{path: path}
}

// errWorldReadable is wrapped by errors about token files others can read.
var errWorldReadable = errors.New("token file is readable by other users")

func (f *FileAuthEngine) read() (map[string]string, error) {
	info, err := os.Stat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scclient: auth token file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("scclient: auth token file %s has mode %v: %w (chmod 600 it)", f.path, info.Mode().Perm(), errWorldReadable)
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, fmt.Errorf("scclient: auth token file: %w", err)
	}
	tokens := map[string]string{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &tokens); err != nil {
			return nil, fmt.Errorf("scclient: auth token file %s is not a JSON object of strings", f.path)
		}
	}
	return tokens, nil
}

func (f *FileAuthEngine) write(tokens map[string]string) error {
	b, err := json.Marshal(tokens)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".sctoken-*")
	if err != nil {
		return fmt.Errorf("scclient: auth token file: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("scclient: auth token file: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("scclient: auth token file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("scclient: auth token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("scclient: auth token file: %w", err)
	}
	if err := os.Rename(name, f.path); err != nil {
		return fmt.Errorf("scclient: auth token file: %w", err)
	}
	return nil
}

// SaveToken stores token under name in the file.
func (f *FileAuthEngine) SaveToken(_ context.Context, name, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	tokens, err := f.read()
	if err != nil {
		return err
	}
	tokens[name] = token
	return f.write(tokens)
}

// RemoveToken deletes the token under name from the file and returns it.
func (f *FileAuthEngine) RemoveToken(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tokens, err := f.read()
	if err != nil {
		return "", err
	}
	old, ok := tokens[name]
	if !ok {
		return "", nil
	}
	delete(tokens, name)
	return old, f.write(tokens)
}

// LoadToken returns the token under name from the file, or "".
func (f *FileAuthEngine) LoadToken(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tokens, err := f.read()
	if err != nil {
		return "", err
	}
	return tokens[name], nil
}
