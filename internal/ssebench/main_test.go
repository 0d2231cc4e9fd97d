package ssebench

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // as the binary runs it, without the debug route dump
	os.Exit(m.Run())
}
