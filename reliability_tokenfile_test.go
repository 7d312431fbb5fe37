package scclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestReliabilityFileAuthEngineRefusesFilesOthersCanTouch: any permission
// bit for the group or for others makes the file unusable, and the error
// says so without showing a token.
func TestReliabilityFileAuthEngineRefusesFilesOthersCanTouch(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []os.FileMode{0o640, 0o604, 0o620, 0o602, 0o660, 0o666, 0o700 | 0o044} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokens.json")
			e := NewFileAuthEngine(path)
			if err := e.SaveToken(ctx, "a", "SECRET.TOKEN.VALUE"); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			for name, call := range map[string]func() error{
				"LoadToken":   func() error { _, err := e.LoadToken(ctx, "a"); return err },
				"SaveToken":   func() error { return e.SaveToken(ctx, "b", "OTHER.SECRET.TOKEN") },
				"RemoveToken": func() error { _, err := e.RemoveToken(ctx, "a"); return err },
			} {
				err := call()
				if !errors.Is(err, errWorldReadable) {
					t.Errorf("%s on a %v file: %v", name, mode, err)
					continue
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("%s error shows a token: %v", name, err)
				}
			}
		})
	}
}

// TestReliabilityFileAuthEngineWritesAtomically saves tokens from many
// goroutines while other engines on the same file read it: a reader never
// sees a partial file, the mode stays 0600 and no temporary file is left.
func TestReliabilityFileAuthEngineWritesAtomically(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	writer := NewFileAuthEngine(path)
	big := strings.Repeat("t", 64<<10) // large enough that a torn write would show
	if err := writer.SaveToken(ctx, "seed", big); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2; i++ {
				if err := writer.SaveToken(ctx, "k"+strconv.Itoa(w), big+strconv.Itoa(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var readers sync.WaitGroup
	reads := 0
	var readsMu sync.Mutex
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			reader := NewFileAuthEngine(path)
			for {
				select {
				case <-stop:
					return
				default:
				}
				tok, err := reader.LoadToken(ctx, "seed")
				if err != nil || tok != big {
					errs <- errors.New("a reader saw a partial file: " + strconv.Itoa(len(tok)) + " bytes, " + relErrString(err))
					return
				}
				readsMu.Lock()
				reads++
				readsMu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after concurrent saves", info.Mode().Perm())
	}
	for w := 0; w < 2; w++ {
		if tok, err := writer.LoadToken(ctx, "k"+strconv.Itoa(w)); err != nil || tok != big+"1" {
			t.Errorf("writer %d's last token is lost: %d bytes, %v", w, len(tok), err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("files left in the directory: %v", entries)
	}
	t.Logf("%d consistent reads during 4 saves", reads)
}

func relErrString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// TestReliabilityFileAuthEngineCorruptFile: a file that is not a JSON
// object of strings gives an error that names the problem but does not
// show the file's content.
func TestReliabilityFileAuthEngineCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, []byte(`{"a":"SECRET.TOKEN.`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewFileAuthEngine(path).LoadToken(context.Background(), "a")
	if err == nil || !strings.Contains(err.Error(), "not a JSON object") {
		t.Fatalf("corrupt file: %v", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("the error shows the file's content: %v", err)
	}
}
