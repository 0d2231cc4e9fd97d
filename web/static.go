package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// staticFile is one file of web/static, ready to serve.
type staticFile struct {
	body        []byte
	etag        string // of the content, so browsers revalidate cheaply
	contentType string
}

// staticFiles are web/static's files by path, read once.
var staticFiles = loadStatic()

func loadStatic() map[string]staticFile {
	files := map[string]staticFile{}
	err := fs.WalkDir(assets, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(assets, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		files[strings.TrimPrefix(name, "static/")] = staticFile{
			body:        body,
			etag:        `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
			contentType: mime.TypeByExtension(path.Ext(name)),
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return files
}

// serveStatic serves GET /static/*file. Static files hold no recorded data,
// so they are served without the token: the login page needs them too.
func serveStatic(c *gin.Context) {
	f, ok := staticFiles[strings.TrimPrefix(c.Param("file"), "/")]
	if !ok {
		c.String(http.StatusNotFound, "404 page not found")
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(f.body))
}
