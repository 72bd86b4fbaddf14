{
  "statement": "{\"institution\":\"rokin\",\"variant\":\"rokin-2019\",\"version\":\"2019-08\",\"sequence\":1795329424,\"sha256\":\"5b13f6011e8eb24dd38c6adf10d872ff8294ed23490a6d4d5fa3b4a2f7b8196b\",\"size\":94154,\"signed_at\":\"2026-11-22T06:37:04Z\"}",
  "signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgpbwveslPDJ97rnjYZTWIbDoLjH\nZyfgQSiyAt5spJmzQAAAAPa2l0ZWktcG9saWN5QHYxAAAAAAAAAAZzaGE1MTIAAABTAAAA\nC3NzaC1lZDI1NTE5AAAAQIQxzSpopBnfCHjftdNeStxRHtoIjZe1d8mh4dZeV5X3QCSHmm\nMEOa8AMFkviUb2u0AsWaTlPhMCPnyT6s0a9QM=\n-----END SSH SIGNATURE-----\n"
}
