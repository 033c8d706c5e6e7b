package browsertest

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopSharedChromium()
	os.Exit(code)
}
