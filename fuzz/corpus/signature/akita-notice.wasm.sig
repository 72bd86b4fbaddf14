{
  "statement": "{\"institution\":\"akita\",\"variant\":\"akita-notice\",\"version\":\"undated\",\"sequence\":1795329423,\"sha256\":\"6702889f6406ac0258bc2d61344f1bf3eb14bedde7829a2f09a066ef3a12b372\",\"size\":83108,\"signed_at\":\"2026-11-22T06:37:03Z\"}",
  "signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgpbwveslPDJ97rnjYZTWIbDoLjH\nZyfgQSiyAt5spJmzQAAAAPa2l0ZWktcG9saWN5QHYxAAAAAAAAAAZzaGE1MTIAAABTAAAA\nC3NzaC1lZDI1NTE5AAAAQOlyA+1jJ9D1sLmu5QSqttq/3p6RgVtf3RCyeAvvHCPuFqhh8X\n/vl8BC/sQYFj1aKC8Z82ZS5hHfaMK0EQn87Q4=\n-----END SSH SIGNATURE-----\n"
}
