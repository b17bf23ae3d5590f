package stacks

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type ginURI struct {
	ID int64 `uri:"id" binding:"required,min=1"`
}

type ginQuery struct {
	Q     string `form:"q"`
	Limit int    `form:"limit,default=10" binding:"min=1,max=100"`
}

type ginItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type ginBody struct {
	Name  string   `json:"name" binding:"required,min=1,max=50"`
	Price float64  `json:"price" binding:"required,gt=0"`
	Tags  []string `json:"tags,omitempty"`
}

// NewGin returns the gin implementation (binding tags, release mode, no
// logger).
func NewGin() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/json", func(c *gin.Context) {
		c.Header("Server", serverName)
		c.JSON(200, gin.H{"message": "Hello, World!"})
	})
	r.GET("/items/:id", func(c *gin.Context) {
		var u ginURI
		var q ginQuery
		err1 := c.ShouldBindUri(&u)
		err2 := c.ShouldBindQuery(&q)
		if err1 != nil || err2 != nil {
			msg := ""
			for _, e := range []error{err1, err2} {
				if e != nil {
					msg += e.Error() + "; "
				}
			}
			c.JSON(422, gin.H{"error": msg})
			return
		}
		c.JSON(200, ginItem{ID: u.ID, Q: q.Q, Limit: q.Limit})
	})
	r.POST("/items", func(c *gin.Context) {
		var b ginBody
		if err := c.ShouldBindJSON(&b); err != nil {
			c.JSON(422, gin.H{"error": err.Error()})
			return
		}
		c.JSON(201, b)
	})
	return r
}
