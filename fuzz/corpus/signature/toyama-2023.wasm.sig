{
  "statement": "{\"institution\":\"toyama\",\"variant\":\"toyama-2023\",\"version\":\"2023-05-31\",\"sequence\":1795331312,\"sha256\":\"e6d2ab2963662168fa2c555b406a449f04ca3c45771f361c564e2c77ff032bb7\",\"size\":88788,\"signed_at\":\"2026-11-22T07:08:32Z\"}",
  "signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgpbwveslPDJ97rnjYZTWIbDoLjH\nZyfgQSiyAt5spJmzQAAAAPa2l0ZWktcG9saWN5QHYxAAAAAAAAAAZzaGE1MTIAAABTAAAA\nC3NzaC1lZDI1NTE5AAAAQKjLpQJQa3SzuhjAWkogvGT27ZDp4BI7wU0y50knWqr96tdzfV\nAuustrcWssdgvF1Pv8JRtdxf2LCTktUbntrQA=\n-----END SSH SIGNATURE-----\n"
}
