package proxy

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestMain quiets gin's debug route listing, which would bury test and
// benchmark output.
func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}
