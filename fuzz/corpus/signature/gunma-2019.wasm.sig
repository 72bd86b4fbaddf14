{
  "statement": "{\"institution\":\"gunma\",\"variant\":\"gunma-2019\",\"version\":\"2019-11-26\",\"sequence\":1795329423,\"sha256\":\"85c1a808a88d214d6af393d9060dfeaee9ea75ef13f5bf172921a6acb8c7c254\",\"size\":87164,\"signed_at\":\"2026-11-22T06:37:03Z\"}",
  "signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgpbwveslPDJ97rnjYZTWIbDoLjH\nZyfgQSiyAt5spJmzQAAAAPa2l0ZWktcG9saWN5QHYxAAAAAAAAAAZzaGE1MTIAAABTAAAA\nC3NzaC1lZDI1NTE5AAAAQKzv6tCLmAk8U7PT4Le1D9XE0NwQ0MGwz8VhPyoe3G26iHO9vi\nXCr9XH/ibegXiCT6pJowY8j97hgTEQ8iOpxgM=\n-----END SSH SIGNATURE-----\n"
}
